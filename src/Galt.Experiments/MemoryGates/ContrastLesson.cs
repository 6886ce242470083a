using Galt.Experiments.Data;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Galt.Experiments.MemoryGates;

/// <summary>
/// One accepted contrast lesson packet of the GALT release (schema <c>galt_contrast_lesson_packet_v0</c>, spec §6.3):
/// the fields the memory benchmarks read.
/// </summary>
public sealed class ContrastLesson
{
    /// <summary>Packet id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    /// <summary>Concept name.</summary>
    [JsonPropertyName("concept")] public string Concept { get; set; } = "";

    /// <summary>tutoring, workflow, preference or safety_boundary.</summary>
    [JsonPropertyName("domain")] public string Domain { get; set; } = "";

    /// <summary>The case that should be written to memory.</summary>
    [JsonPropertyName("positive_write_case")] public string PositiveWriteCase { get; set; } = "";

    /// <summary>The contrast that must not weaken a constraint.</summary>
    [JsonPropertyName("constraint_contrast")] public string ConstraintContrast { get; set; } = "";

    /// <summary>When to write.</summary>
    [JsonPropertyName("write_condition")] public string WriteCondition { get; set; } = "";

    /// <summary>When not to write.</summary>
    [JsonPropertyName("no_write_condition")] public string NoWriteCondition { get; set; } = "";

    /// <summary>The risk the constraint guards.</summary>
    [JsonPropertyName("constraint_risk")] public string ConstraintRisk { get; set; } = "";

    /// <summary>A retention probe.</summary>
    [JsonPropertyName("retain_probe")] public string RetainProbe { get; set; } = "";

    /// <summary>One-sentence rationale.</summary>
    [JsonPropertyName("trace")] public string Trace { get; set; } = "";

    /// <summary>
    /// A null field (the properties are non-nullable strings) or a field given twice is refused as a JsonException, so it
    /// is reported with the file and line like any malformed packet, not met later as a NullReferenceException.
    /// </summary>
    private static readonly JsonSerializerOptions Strict = new() { RespectNullableAnnotations = true, AllowDuplicateProperties = false };

    /// <summary>Reads every <c>*.jsonl</c> file of <paramref name="directory"/> (sorted by name); errors name the file and line.</summary>
    public static IReadOnlyList<ContrastLesson> ReadDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new GaltDataException($"{directory}: contrast-lesson folder not found.");
        var lessons = new List<ContrastLesson>();
        foreach (var file in Directory.GetFiles(directory, "*.jsonl").OrderBy(f => f, StringComparer.Ordinal))
        {
            using var reader = new StreamReader(file);
            lessons.AddRange(Read(reader, file));
        }
        return lessons;
    }

    /// <summary>Reads the packets of one JSONL file from <paramref name="reader"/>; <paramref name="file"/> names it in errors.</summary>
    internal static IReadOnlyList<ContrastLesson> Read(TextReader reader, string file)
    {
        var lessons = new List<ContrastLesson>();
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                var lesson = JsonSerializer.Deserialize<ContrastLesson>(text, Strict) ?? throw new GaltDataException($"{file}:{line}: null packet.");
                if (lesson.Id.Length == 0 || lesson.Domain.Length == 0) throw new GaltDataException($"{file}:{line}: packet without id or domain.");
                lessons.Add(lesson);
            }
            catch (JsonException e)
            {
                throw new GaltDataException($"{file}:{line}: not a contrast-lesson packet: {e.Message}", e);
            }
        }
        return lessons;
    }
}
