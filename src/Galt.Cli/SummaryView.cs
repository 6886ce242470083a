using Galt.Experiments.Reporting;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>Shows a run's tables, then its summary metrics and data, on the terminal.</summary>
public static class SummaryView
{
    /// <summary>Summaries longer than this are not printed as a table when the run has tables of its own.</summary>
    public const int MaxSummaryRows = 30;

    /// <summary>Writes the tables to <paramref name="console"/>.</summary>
    public static void Show(IAnsiConsole console, RunRecord record)
    {
        foreach (var t in record.Tables)
        {
            var detail = new Table().Title(Markup.Escape(t.Title));
            foreach (var column in t.Columns) detail.AddColumn(Markup.Escape(column));
            foreach (var row in t.Rows) detail.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(detail);
        }
        // A long summary (split-mnist has over a hundred keys) is already shown by the tables above; it stays in result.json.
        if (record.Summary.Count <= MaxSummaryRows || record.Tables.Count == 0)
        {
            var table = new Table().Title($"{Markup.Escape(record.Experiment)}: {Markup.Escape(record.Title)}").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (key, value) in record.Summary) table.AddRow(Markup.Escape(key), MarkdownReport.FormatNumber(value));
            console.Write(table);
        }
        else console.MarkupLine($"{record.Summary.Count} summary metrics are in result.json.");
        if (record.Data is { } data) console.MarkupLine($"Data: {Markup.Escape(data.Split)}");
        if (record.Seeds.Count > 0) console.MarkupLine($"Seed{(record.Seeds.Count > 1 ? "s" : "")}: {string.Join(", ", record.Seeds)}");
    }
}
