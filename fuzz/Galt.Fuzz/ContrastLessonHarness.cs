using Galt.Experiments.Data;
using Galt.Experiments.MemoryGates;

namespace Galt.Fuzz;

/// <summary>The contrast-lesson packet JSONL reader (<see cref="ContrastLesson"/>, spec §6.3), one file of a lesson folder.</summary>
internal sealed class ContrastLessonHarness : Harness
{
    /// <inheritdoc />
    public override string Name => "contrast";

    /// <inheritdoc />
    public override string Summary => "contrast-lesson packet JSONL (ContrastLesson.ReadDirectory, one file)";

    /// <inheritdoc />
    protected override string Source => "/fuzz/lessons/packets.jsonl";

    /// <inheritdoc />
    protected override void Read(byte[] input) => Refusable(() => ContrastLesson.Read(Lines(input), Source));

    /// <inheritdoc />
    protected override bool IsRefusal(Exception e) => e is GaltDataException;

    private const string Packet = """{"id": "p0", "concept": "bedtime", "domain": "preference", "positive_write_case": "the user asked three times", "constraint_contrast": "skip the medication", "write_condition": "stable", "no_write_condition": "one mention", "constraint_risk": "harm", "retain_probe": "when is bedtime?", "trace": "stable preference"}""";

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Content)> Seeds()
    {
        yield return ("one.jsonl", Utf8(Packet));
        yield return ("two.jsonl", Utf8(Packet + "\n\n" + Packet.Replace("p0", "p1").Replace("preference", "safety_boundary") + "\n"));
        yield return ("no-domain.jsonl", Utf8("""{"id": "p2", "concept": "x"}"""));
        yield return ("wrong-type.jsonl", Utf8("""{"id": 3, "domain": "tutoring"}"""));
        yield return ("null.jsonl", Utf8("null"));
        yield return ("null-id.jsonl", Utf8("""{"id": null, "domain": "tutoring"}"""));
        yield return ("twice.jsonl", Utf8("""{"id": "p3", "domain": "tutoring", "domain": "workflow"}"""));
    }
}
