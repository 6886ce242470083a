using System.CommandLine;
using Galt.Experiments.Reporting;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt report &lt;run-dir&gt;</c>: re-renders report.md and the plots from result.json.</summary>
public static class ReportCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var runDir = new Argument<string>("run-dir") { Description = "A run folder written by 'galt run' or 'galt bench' (it holds result.json)." };
        var command = new Command("report", "Re-render report.md and the PNG plots of a run folder from its result.json, and show its summary.");
        command.Arguments.Add(runDir);
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(runDir)!;
            try
            {
                var record = RunRecordJson.Read(dir);
                string folder = Directory.Exists(dir) ? dir : Path.GetDirectoryName(Path.GetFullPath(dir))!;
                var written = ReportWriter.Rerender(record, folder);
                SummaryView.Show(console, record);
                foreach (var path in written) console.MarkupLine($"wrote [blue]{Markup.Escape(path)}[/]");
                return 0;
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or IOException)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return 1;
            }
        });
        return command;
    }
}
