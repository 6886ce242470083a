using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Galt.Experiments.Reporting;

/// <summary>
/// Writes a run configuration as TOML: <c>experiment = "name"</c>, then one top-level key per run option. The one writer
/// of the format, for report.md, <see cref="FileName"/> and <c>galt config</c>; the CLI reads it back.
/// </summary>
public static class RunConfigToml
{
    /// <summary>The file name of a run's configuration inside its run folder.</summary>
    public const string FileName = "run.toml";

    /// <summary>The key naming the experiment a configuration is for.</summary>
    public const string ExperimentKey = "experiment";

    private const int CommentWidth = 100;

    /// <summary>The TOML text of the configuration <paramref name="values"/> (as in <see cref="RunRecord.RunConfig"/>) for <paramref name="experiment"/>.</summary>
    public static string Write(string experiment, JsonObject values) => Write(experiment, values.Select(kv => new RunConfigEntry(kv.Key, kv.Value)));

    /// <summary>The TOML text of <paramref name="entries"/> for <paramref name="experiment"/>; with comments, entries are set apart by blank lines.</summary>
    public static string Write(string experiment, IEnumerable<RunConfigEntry> entries)
    {
        var text = new StringBuilder();
        text.Append(ExperimentKey).Append(" = ").Append(Literal(experiment)).Append('\n');
        foreach (var entry in entries)
        {
            if (entry.Comment is { } comment)
            {
                text.Append('\n');
                foreach (var line in Wrap(comment)) text.Append("# ").Append(line).Append('\n');
            }
            if (entry.Value is null) text.Append("# ").Append(Key(entry.Key)).Append(" = (unset: the experiment's own default applies)\n");
            else text.Append(Key(entry.Key)).Append(" = ").Append(Literal(entry.Key, entry.Value)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A TOML basic string: quoted, with backslash, quote and control characters escaped.</summary>
    public static string Literal(string value)
    {
        var text = new StringBuilder("\"");
        foreach (char c in value)
            text.Append(c switch
            {
                '"' => "\\\"", '\\' => "\\\\", '\b' => "\\b", '\t' => "\\t", '\n' => "\\n", '\f' => "\\f", '\r' => "\\r",
                < ' ' or '\u007f' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return text.Append('"').ToString();
    }

    private static string Literal(string key, JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => Literal(value.GetValue<string>()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number when long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer) => integer.ToString(CultureInfo.InvariantCulture),
        var kind => throw new ArgumentException($"run configuration key '{key}' holds {kind} {value.ToJsonString()}; a run configuration holds integers, booleans and strings only.", nameof(value)),
    };

    /// <summary>A bare key where TOML allows one (letters, digits, '-', '_'), else a quoted key.</summary>
    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : Literal(key);

    private static IEnumerable<string> Wrap(string comment)
    {
        var line = new StringBuilder();
        foreach (var word in comment.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > CommentWidth)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
