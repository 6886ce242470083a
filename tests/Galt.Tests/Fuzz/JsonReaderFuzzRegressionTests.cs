using Galt.Channels;
using Galt.Experiments.Data;
using Galt.Experiments.CurriculumGate;
using Galt.Experiments.MemoryGates;

namespace Galt.Tests.Fuzz;

/// <summary>
/// Inputs that made the JSON readers crash or silently pick one of two values (fuzz/run.sh curriculum, contrast,
/// prompts; docs/fuzzing.md), each refused now with a <see cref="GaltDataException"/> naming the file, the line where
/// there are lines, and the field.
/// </summary>
public class JsonReaderFuzzRegressionTests
{
    [Theory]
    // JsonObject threw a bare ArgumentException ("An item with the same key has already been added") on first access
    [InlineData("""{"id": "x", "stream": "fineweb_edu_lm", "stream": "fineweb_edu_lm", "text": "t"}""", "Duplicate property 'stream'")]
    [InlineData("""{"id": "x", "stream": "galt_adjudicated_memory", "context": "c", "context": "d", "candidate_transition": "t", "query": "q"}""", "Duplicate property 'context'")]
    public void ACurriculumRowWithAFieldTwiceIsRefused(string row, string fault)
    {
        string file = Path.Combine(TempDir.Create(), "train.jsonl");
        File.WriteAllBytes(file, System.Text.Encoding.UTF8.GetBytes(row));
        var e = Assert.Throws<GaltDataException>(() => CurriculumReader.ReadFile(file));
        Assert.Contains($"{file}:1", e.Message);
        Assert.Contains(fault, e.Message);
    }

    [Theory]
    // a null id or domain: NullReferenceException in the reader's own check
    [InlineData("""{"id": null, "domain": "tutoring"}""", "'id'")]
    [InlineData("""{"id": "p", "domain": null}""", "'domain'")]
    // a null text field: was accepted as null for a non-nullable property
    [InlineData("""{"id": "p", "domain": "tutoring", "trace": null}""", "'trace'")]
    // a field twice: the last one silently won
    [InlineData("""{"id": "p", "domain": "tutoring", "domain": "workflow"}""", "Duplicate property 'domain'")]
    public void AContrastPacketWithANullOrRepeatedFieldIsRefused(string packet, string fault)
    {
        string folder = TempDir.Create();
        string file = Path.Combine(folder, "packets.jsonl");
        File.WriteAllBytes(file, System.Text.Encoding.UTF8.GetBytes(packet));
        var e = Assert.Throws<GaltDataException>(() => ContrastLesson.ReadDirectory(folder));
        Assert.Contains($"{file}:1", e.Message);
        Assert.Contains(fault, e.Message);
    }

    [Fact]
    public void APromptWithItsLabelTwiceIsRefused()
    {
        // which label is the safe one? JsonElement.TryGetProperty silently took one of them
        string path = Path.Combine(TempDir.Create(), "safety_prompts.json");
        File.WriteAllBytes(path, """[{"question": "q", "options": ["a", "b", "c", "d"], "safe_label": 0, "safe_label": 1}]"""u8.ToArray());
        var e = Assert.Throws<GaltDataException>(() => ReleasePrompts.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Duplicate property 'safe_label'", e.Message);
    }
}
