using System.Text.Json;

namespace Galt.Experiments.Reporting;

/// <summary>Reads and writes <c>result.json</c>.</summary>
public static class RunRecordJson
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "result.json";

    // Heatmaps mark unseen cells with NaN; JSON has no NaN, so such values are written as the string "NaN".
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The record as indented JSON.</summary>
    public static string Serialize(RunRecord record) => JsonSerializer.Serialize(record, Options);

    /// <summary>Writes <c>result.json</c> into <paramref name="runDirectory"/> (beside, then moved over: never half-written).</summary>
    public static string Write(RunRecord record, string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        string temp = path + ".tmp";
        File.WriteAllText(temp, Serialize(record));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>Reads <c>result.json</c> from a run folder (or the file itself); errors name the file.</summary>
    public static RunRecord Read(string runDirectoryOrFile)
    {
        string path = Directory.Exists(runDirectoryOrFile) ? Path.Combine(runDirectoryOrFile, FileName) : runDirectoryOrFile;
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no {FileName} here; pass a run folder written by 'galt run' or 'galt bench'.", path);
        try
        {
            var record = JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), Options)
                         ?? throw new InvalidDataException($"{path}: the file holds JSON null, not a run record.");
            if (string.IsNullOrEmpty(record.Experiment))
                throw new InvalidDataException($"{path}: no \"experiment\" name; this is not a Galt result.json.");
            return record;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid Galt result.json: {e.Message}", e);
        }
    }
}
