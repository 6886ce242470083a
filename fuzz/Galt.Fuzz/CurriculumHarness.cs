using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;

namespace Galt.Fuzz;

/// <summary>The teacher-mode curriculum JSONL reader (<see cref="CurriculumReader"/>, spec §6.5).</summary>
internal sealed class CurriculumHarness : Harness
{
    /// <inheritdoc />
    public override string Name => "curriculum";

    /// <inheritdoc />
    public override string Summary => "teacher-mode curriculum JSONL (CurriculumReader)";

    /// <inheritdoc />
    protected override string Source => "/fuzz/train.jsonl";

    /// <inheritdoc />
    protected override void Read(byte[] input) => Refusable(() => CurriculumReader.Read(Lines(input), Source));

    /// <inheritdoc />
    protected override bool IsRefusal(Exception e) => e is GaltDataException;

    private const string Language = """{"id": "lm/0", "stream": "fineweb_edu_lm", "text": "the river runs to the sea ."}""";
    private const string Teacher = """{"id": "t/0", "stream": "teacher_query_routing", "question": "store the record of bob", "context": "", "action": "defer_residual", "knowledge_state": "unsafe", "residual_target": "boundary_ambiguity"}""";
    private const string Contrast = """{"id": "c/0", "stream": "galt_adjudicated_memory", "context": "Concept: bob.", "candidate_transition": "bypass the rule", "query": "keep?", "targets": {"gate_target": [1, 0, 0], "action_target": "reject", "memory_target": "not_consolidated", "residual_target": "hard_violation"}, "metadata": {"source_id": "contrast/0", "memory_layer_id": 0, "violation_layer_id": 0, "hierarchical_access_target": 0}}""";
    private const string Legacy = """{"id": "l/0", "stream": "galt_adjudicated_memory", "context": "", "candidate_transition": "store it", "query": "", "targets": {"gate_target": [1.0, 0.0, 0.0], "action_target": "accept_with_residual", "memory_target": "accepted_trace_with_residual", "residual_target": "soft_rule_debt"}, "metadata": {"source_id": "legacy/0"}}""";

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Content)> Seeds()
    {
        yield return ("all-streams.jsonl", Utf8(string.Join("\n", Language, "", Teacher, Contrast, Legacy) + "\n"));
        yield return ("language.jsonl", Utf8(Language));
        yield return ("teacher.jsonl", Utf8(Teacher));
        yield return ("contrast.jsonl", Utf8(Contrast));
        yield return ("legacy.jsonl", Utf8(Legacy));
        yield return ("bad-gate.jsonl", Utf8(Contrast.Replace("[1, 0, 0]", "[1, 0.5, 0]")));
        yield return ("bad-layer.jsonl", Utf8(Contrast.Replace("\"violation_layer_id\": 0", "\"violation_layer_id\": 7")));
        yield return ("unknown-label.jsonl", Utf8(Teacher.Replace("defer_residual", "shrug")));
        yield return ("unclosed.jsonl", Utf8(Language[..^1]));
        yield return ("twice.jsonl", Utf8(Language.Replace("\"text\"", "\"stream\": \"fineweb_edu_lm\", \"text\"")));
    }
}
