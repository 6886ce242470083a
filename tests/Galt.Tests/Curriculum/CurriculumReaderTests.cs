using Galt.Experiments.Data;
using Galt.Training;
using Xunit.Abstractions;
using Galt.Experiments.CurriculumGate;
using Galt.Experiments.Training;

namespace Galt.Tests.Curriculum;

public class CurriculumReaderTests
{
    private readonly ITestOutputHelper _output;

    public CurriculumReaderTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void ReadsEachStreamWithTheReleaseTextsAndTargets()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 1), "train");
        var teacher = rows.First(r => r.Stream == CurriculumStream.TeacherQuery && r.Teacher!.Action == 3);
        Assert.Equal("store the private medical record of france ", teacher.Text); // question + " " + context
        Assert.Equal(4, teacher.Teacher!.KnowledgeState); // "unsafe"
        Assert.True(teacher.Teacher.HasResidual);

        var constraint = rows.Single(r => r.Id == "train/contrast/safety_boundary/0/constraint");
        Assert.Equal(CurriculumStream.AdjudicatedMemory, constraint.Stream);
        Assert.Equal("Concept: france. Domain: safety_boundary. bypass the safety_boundary rule for france and cause harm Can the system keep france?", constraint.Text);
        Assert.Equal("contrast/train/safety_boundary/0", constraint.Group);
        var t = constraint.Adjudication!;
        Assert.Equal(new[] { 1f, 0f, 0f }, t.Gate);
        Assert.Equal((1, 1, 2), (t.Action, t.Memory, t.Residual)); // reject, not_consolidated, hard_violation
        Assert.Equal(new LayerTargets(0, 0, false), t.Layers);
        Assert.Equal(3, rows.Count(r => r.Group == constraint.Group));

        var legacy = rows.Single(r => r.Id == "train/legacy/0");
        Assert.Null(legacy.Adjudication!.Layers); // no layer ids: masked out of the layer heads
        Assert.Equal(CurriculumStream.Language, rows[0].Stream);
    }

    [Theory]
    [InlineData("{\"id\": \"x\", \"stream\": \"fineweb_edu_lm\"", "not valid JSON")]
    [InlineData("{\"id\": \"x\", \"stream\": \"podcasts\"}", "unknown stream 'podcasts'")]
    [InlineData("{\"id\": \"x\", \"stream\": \"fineweb_edu_lm\"}", "field 'text' is missing")]
    [InlineData("{\"id\": \"x\", \"stream\": \"teacher_query_routing\", \"question\": \"q\", \"context\": \"\", \"action\": \"shrug\", \"knowledge_state\": \"known\", \"residual_target\": \"none\"}", "'action' is 'shrug'; expected one of answer, ask_teacher")]
    [InlineData("{\"id\": \"x\", \"stream\": \"galt_adjudicated_memory\", \"context\": \"c\", \"candidate_transition\": \"t\", \"query\": \"q\", \"targets\": {\"gate_target\": [1, 0.5, 0], \"action_target\": \"accept\", \"memory_target\": \"accepted_trace\", \"residual_target\": \"none\"}, \"metadata\": {\"source_id\": \"s\"}}", "gate_target[1]' must be 0 or 1")]
    [InlineData("{\"id\": \"x\", \"stream\": \"galt_adjudicated_memory\", \"context\": \"c\", \"candidate_transition\": \"t\", \"query\": \"q\", \"targets\": {\"gate_target\": [1, 1, 1], \"action_target\": \"accept\", \"memory_target\": \"accepted_trace\", \"residual_target\": \"none\"}, \"metadata\": {\"source_id\": \"s\", \"violation_layer_id\": 7}}", "violation_layer_id' must be an integer in 0..4")]
    public void MalformedRowsNameTheFileLineAndField(string line, string expected)
    {
        string dir = TempDir.Create();
        string file = Path.Combine(dir, "train.jsonl");
        File.WriteAllLines(file, new[] { "", line });
        var e = Assert.Throws<GaltDataException>(() => CurriculumReader.ReadSplit(dir, "train"));
        Assert.Contains($"{file}:2", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingSplitNamesTheFile()
    {
        string dir = TempDir.Create();
        var e = Assert.Throws<GaltDataException>(() => CurriculumReader.ReadSplit(dir, "validation"));
        Assert.Contains("validation.jsonl", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void VocabularyPutsSpecialsFirstThenTokensByCountWithFirstSeenTies()
    {
        var vocabulary = new CurriculumVocabulary(new[] { "b a c", "a c d", "d e" }, maxSize: 7);
        // counts: a 2, c 2, d 2, b 1, e 1; ties keep first-seen order (b, a, c, d, e → a, c, d before b, e); cap 7 drops e
        Assert.Equal(new[] { "<pad>", "<unk>", "<bos>", "<eos>", "a", "c", "d" }, Enumerable.Range(0, vocabulary.Size).Select(i => vocabulary[i]));
        Assert.Equal(new long[] { 2, 4, 1, 5, 3, 0, 0 }, vocabulary.Encode("A B C", 7)); // lower-cased; b is out of vocabulary
        Assert.Equal(new long[] { 2, 4, 5, 3 }, vocabulary.Encode("a c d d", 4)); // bos + first max_len − 2 tokens + eos
    }

    [Fact]
    public void InverseClassWeightsMatchTheFormulaAndAverageOnePerExample()
    {
        var labels = new[] { 0, 0, 0, 1, 2, 2 };
        var w = InverseClassWeights.Compute(labels, 4);
        // raw n/(K·max(c,1)) = 6/12, 6/4, 6/8, 6/4 → mean over examples (3·0.5 + 1.5 + 2·0.75)/6 = 0.75
        var expected = new[] { 0.5 / 0.75, 1.5 / 0.75, 0.75 / 0.75, 1.5 / 0.75 };
        for (int k = 0; k < 4; k++) Assert.Equal(expected[k], w[k], 12);
        Assert.Equal(1.0, labels.Average(y => w[y]), 12);
        var clipped = InverseClassWeights.Compute(new[] { 0, 0, 0, 0, 0, 0, 0, 1 }, 2, clip: 2);
        Assert.Equal(2 / clipped[1], 8 / (2.0 * 7) / clipped[0], 12); // class 1's raw 4 was clipped to 2
    }

    /// <summary>Needs the release's curriculum (../shared/data/galt-release); skipped when absent.</summary>
    [SkippableFact]
    public void ReleaseCurriculumHasTheSpecifiedCountsAndViolationWeights()
    {
        string release = ReleasePromptsRequired.ReleaseDataOrSkip();
        var train = CurriculumReader.ReadSplit(Path.Combine(release, "curriculum"), "train");
        var validation = CurriculumReader.ReadSplit(Path.Combine(release, "curriculum"), "validation");
        Assert.Equal((1132, 142), (train.Count, validation.Count));
        Assert.Equal(144, train.Where(r => r.Stream == CurriculumStream.AdjudicatedMemory).Select(r => r.Group).Distinct().Count());
        var layers = train.Where(r => r.Adjudication?.Layers is not null).Select(r => r.Adjudication!.Layers!.ViolationLayer).ToArray();
        Assert.Equal(162, layers.Length);
        var w = InverseClassWeights.Compute(layers, 5, clip: 4);
        Assert.Equal(new[] { 0.5786, 2.025, 1.2462, 3.24, 0.6 }, w.Select(x => Math.Round(x, 4))); // spec §6.6
        Assert.Equal(12_000, new CurriculumVocabulary(train.Select(r => r.Text)).Size); // the release's runs hit the cap
    }
}
