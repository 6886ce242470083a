using Galt.Experiments.Data;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// Reads the teacher-mode curriculum (schema <c>galt_teacher_curriculum_v0</c>, spec §6.5): one JSON object per line in
/// one of three stream schemas. Every problem (bad JSON, unknown stream, a missing field, a label outside the head's
/// label set) stops the read with a <see cref="GaltDataException"/> naming the file, the line and the field.
/// </summary>
public static class CurriculumReader
{
    /// <summary>The split files a curriculum folder holds.</summary>
    public static readonly string[] Splits = { "train", "validation", "test" };

    /// <summary>A row with a field given twice is ambiguous: refused at parse time (JsonObject would otherwise throw a bare ArgumentException on first access).</summary>
    private static readonly JsonDocumentOptions UniqueProperties = new() { AllowDuplicateProperties = false };

    /// <summary>Reads <c>&lt;directory&gt;/&lt;split&gt;.jsonl</c>.</summary>
    public static IReadOnlyList<CurriculumRow> ReadSplit(string directory, string split)
    {
        string file = Path.Combine(directory, split + ".jsonl");
        if (!File.Exists(file)) throw new GaltDataException($"{file}: curriculum split '{split}' not found (expected {string.Join(", ", Splits.Select(s => s + ".jsonl"))} in {directory}).");
        return ReadFile(file);
    }

    /// <summary>Reads one JSONL file; blank lines are skipped.</summary>
    public static IReadOnlyList<CurriculumRow> ReadFile(string file)
    {
        using var reader = new StreamReader(file);
        return Read(reader, file);
    }

    /// <summary>Reads JSONL content from <paramref name="reader"/>; <paramref name="file"/> names it in errors.</summary>
    internal static IReadOnlyList<CurriculumRow> Read(TextReader reader, string file)
    {
        var rows = new List<CurriculumRow>();
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonObject json;
            try
            {
                json = JsonNode.Parse(text, documentOptions: UniqueProperties) as JsonObject ?? throw new GaltDataException($"{file}:{line}: a curriculum row must be a JSON object.");
            }
            catch (JsonException e)
            {
                throw new GaltDataException($"{file}:{line}: not valid JSON: {e.Message}", e);
            }
            rows.Add(Parse(json, $"{file}:{line}"));
        }
        if (rows.Count == 0) throw new GaltDataException($"{file}: no curriculum rows.");
        return rows;
    }

    /// <summary>Parses one row; <paramref name="where"/> prefixes error messages.</summary>
    public static CurriculumRow Parse(JsonObject json, string where)
    {
        string id = Text(json, "id", where);
        string stream = Text(json, "stream", where);
        where = $"{where} (row {id})";
        switch (stream)
        {
            case "fineweb_edu_lm":
                return new CurriculumRow(id, CurriculumStream.Language, Text(json, "text", where), id);
            case "teacher_query_routing":
                var teacher = new TeacherTargets(
                    Label(json, "action", CurriculumLabels.TeacherActions, where),
                    Label(json, "knowledge_state", CurriculumLabels.KnowledgeStates, where),
                    Text(json, "residual_target", where, allowEmpty: true) is not ("" or "none"));
                // spec §6.6: teacher text = question + " " + context
                return new CurriculumRow(id, CurriculumStream.TeacherQuery, Text(json, "question", where) + " " + Text(json, "context", where, allowEmpty: true), id, Teacher: teacher);
            case "galt_adjudicated_memory":
                var targets = json["targets"] as JsonObject ?? throw new GaltDataException($"{where}: field 'targets' is missing or not an object.");
                var metadata = json["metadata"] as JsonObject ?? throw new GaltDataException($"{where}: field 'metadata' is missing or not an object.");
                var adjudication = new AdjudicationTargets(
                    Gate(targets, where),
                    Label(targets, "action_target", CurriculumLabels.AdjudicationActions, where),
                    Label(targets, "memory_target", CurriculumLabels.MemoryOutcomes, where),
                    Label(targets, "residual_target", CurriculumLabels.Residuals, where),
                    Layers(metadata, where));
                // spec §6.6: GALT text = context + " " + candidate_transition + " " + query
                string input = string.Join(" ", Text(json, "context", where, allowEmpty: true), Text(json, "candidate_transition", where), Text(json, "query", where, allowEmpty: true));
                return new CurriculumRow(id, CurriculumStream.AdjudicatedMemory, input, Text(metadata, "source_id", where), Adjudication: adjudication);
            default:
                throw new GaltDataException($"{where}: unknown stream '{stream}' (expected fineweb_edu_lm, teacher_query_routing or galt_adjudicated_memory).");
        }
    }

    private static string Text(JsonObject json, string field, string where, bool allowEmpty = false)
    {
        if (json[field] is not JsonValue value || !value.TryGetValue(out string? text))
            throw new GaltDataException($"{where}: field '{field}' is missing or not a string.");
        if (!allowEmpty && string.IsNullOrWhiteSpace(text)) throw new GaltDataException($"{where}: field '{field}' is empty.");
        return text;
    }

    private static int Label(JsonObject json, string field, IReadOnlyList<string> labels, string where)
    {
        string value = Text(json, field, where);
        int index = labels.ToList().IndexOf(value);
        if (index < 0) throw new GaltDataException($"{where}: '{field}' is '{value}'; expected one of {string.Join(", ", labels)}.");
        return index;
    }

    private static float[] Gate(JsonObject targets, string where)
    {
        if (targets["gate_target"] is not JsonArray array || array.Count != CurriculumLabels.GateBits)
            throw new GaltDataException($"{where}: 'targets.gate_target' must be an array of {CurriculumLabels.GateBits} numbers.");
        var gate = new float[array.Count];
        for (int i = 0; i < gate.Length; i++)
        {
            if (array[i] is not JsonValue v || !v.TryGetValue(out double bit) || bit is not (0 or 1))
                throw new GaltDataException($"{where}: 'targets.gate_target[{i}]' must be 0 or 1; got {array[i]?.ToJsonString() ?? "null"}.");
            gate[i] = (float)bit;
        }
        return gate;
    }

    /// <summary>Contrast rows carry all three of memory_layer_id, violation_layer_id, hierarchical_access_target (spec §6.6 mask).</summary>
    private static LayerTargets? Layers(JsonObject metadata, string where)
    {
        int? memory = Integer(metadata, "memory_layer_id", 0, CurriculumLabels.MemoryLayers - 1, where);
        int? violation = Integer(metadata, "violation_layer_id", 0, CurriculumLabels.ViolationLayers - 1, where);
        int? access = Integer(metadata, "hierarchical_access_target", 0, 1, where);
        return memory is null || violation is null || access is null ? null : new LayerTargets(memory.Value, violation.Value, access.Value == 1);
    }

    private static int? Integer(JsonObject json, string field, int min, int max, string where)
    {
        if (json[field] is null) return null;
        if (json[field] is not JsonValue v || !v.TryGetValue(out int value) || value < min || value > max)
            throw new GaltDataException($"{where}: 'metadata.{field}' must be an integer in {min}..{max}; got {json[field]!.ToJsonString()}.");
        return value;
    }
}
