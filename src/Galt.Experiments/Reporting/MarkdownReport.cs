using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Galt.Experiments.Reporting;

/// <summary>Renders <c>report.md</c> from a <see cref="RunRecord"/>.</summary>
public static class MarkdownReport
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "report.md";

    /// <summary>The report's Markdown text.</summary>
    public static string Render(RunRecord record)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {record.Experiment}: {record.Title}").AppendLine();
        md.AppendLine($"- {Capitalise(record.Kind)} started {record.StartedUtc.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC");
        if (record.Seeds.Count > 0) md.AppendLine($"- Seed{(record.Seeds.Count > 1 ? "s" : "")}: {string.Join(", ", record.Seeds)}");
        if (record.Data is { } data)
        {
            md.AppendLine($"- Data: {data.Source}");
            md.AppendLine($"- Split: {data.Split}");
        }
        md.AppendLine();

        md.AppendLine("## Summary").AppendLine();
        AppendTable(md, new[] { "metric", "value" }, record.Summary.Select(kv => new[] { kv.Key, FormatNumber(kv.Value) }));

        foreach (var table in record.Tables)
        {
            md.AppendLine($"## {table.Title}").AppendLine();
            AppendTable(md, table.Columns, table.Rows);
        }

        foreach (var plot in record.Plots)
            md.AppendLine($"![{plot.Title}]({plot.File})").AppendLine();

        if (record.Notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (var note in record.Notes) md.AppendLine($"- {note}");
            md.AppendLine();
        }

        md.AppendLine("## Configuration").AppendLine();
        AppendTable(md, new[] { "setting", "value" }, record.Config.Select(kv => new[] { kv.Key, ConfigText(kv.Value) }));

        if (record.RunConfig is { } runConfig)
        {
            md.AppendLine("## Run configuration").AppendLine();
            md.AppendLine($"The options this run used, as given or defaulted (also in `{RunConfigToml.FileName}` beside this report); " +
                          $"`galt run --config {RunConfigToml.FileName}` repeats the run.").AppendLine();
            md.AppendLine("```toml").Append(RunConfigToml.Write(record.Experiment, runConfig)).AppendLine("```").AppendLine();
        }

        md.AppendLine("## Timings").AppendLine();
        AppendTable(md, new[] { "phase", "seconds" }, record.TimingsSeconds.Select(kv => new[] { kv.Key, kv.Value.ToString("0.###", CultureInfo.InvariantCulture) }));

        var m = record.Machine;
        md.AppendLine("## Machine").AppendLine();
        md.AppendLine($"{m.Os}, {m.Architecture}, {m.ProcessorCount} logical processors, {m.DotNet}, TorchSharp {m.TorchSharp}, device {m.Device}, {m.TorchThreads} torch threads" +
            (m.Cpu.Length > 0 ? $", CPU {m.Cpu}" : "") +
            $"; kernels: {(m.KernelSettings.Count == 0 ? "chosen by libtorch and MKL for this CPU" : string.Join(", ", m.KernelSettings))}. " +
            "Trained figures from other CPUs or kernel settings differ in their last digits.");
        return md.ToString();
    }

    /// <summary>A number as a report shows it: up to 4 significant decimals, invariant culture.</summary>
    public static string FormatNumber(double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15) return value.ToString("0", CultureInfo.InvariantCulture);
        return Math.Abs(value) >= 1e-3 ? value.ToString("0.####", CultureInfo.InvariantCulture) : value.ToString("0.###e+0", CultureInfo.InvariantCulture);
    }

    private static void AppendTable(StringBuilder md, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        md.AppendLine("| " + string.Join(" | ", columns.Select(Escape)) + " |");
        md.AppendLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        md.AppendLine();
    }

    /// <summary>A setting as read by people: strings as they are, anything else as JSON without \uXXXX escapes.</summary>
    private static string ConfigText(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? text) ? text : value?.ToJsonString(Readable) ?? "null";

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
