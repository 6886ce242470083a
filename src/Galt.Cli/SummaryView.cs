using Galt.Reporting;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>Shows a run's summary metrics and data as a terminal table.</summary>
public static class SummaryView
{
    /// <summary>Writes the table to <paramref name="console"/>.</summary>
    public static void Show(IAnsiConsole console, RunRecord record)
    {
        var table = new Table().Title($"{Markup.Escape(record.Experiment)}: {Markup.Escape(record.Title)}").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (key, value) in record.Summary) table.AddRow(Markup.Escape(key), MarkdownReport.FormatNumber(value));
        console.Write(table);
        if (record.Data is { } data) console.MarkupLine($"Data: {Markup.Escape(data.Split)}");
        if (record.Seeds.Count > 0) console.MarkupLine($"Seed{(record.Seeds.Count > 1 ? "s" : "")}: {string.Join(", ", record.Seeds)}");
    }
}
