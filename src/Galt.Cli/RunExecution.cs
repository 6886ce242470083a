using Galt.Cli.Configuration;
using Galt.Data;
using Galt.Reporting;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>Runs one experiment or benchmark with progress bars, writes its folder, and shows its summary table.</summary>
public sealed class RunExecution
{
    private readonly IAnsiConsole _console;

    /// <summary>Creates the executor writing to <paramref name="console"/>.</summary>
    public RunExecution(IAnsiConsole console) => _console = console;

    /// <summary>
    /// Runs <paramref name="request"/>; with <paramref name="recordConfig"/>, the record holds the effective configuration
    /// (<see cref="RunRecord.RunConfig"/>), written to result.json, report.md and run.toml. Exit codes: 0 success, 1 the run
    /// failed (message shown).
    /// </summary>
    public int Execute(RunRequest request, bool recordConfig)
    {
        var runnable = request.Runnable;
        var given = request.Given.Normalized();
        try
        {
            RunRecord? record = null;
            _console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx => record = runnable.Run(RunOptions.ContextFor(given, new SpectreProgressSink(ctx))));
            if (recordConfig) record!.RunConfig = EffectiveRunConfig.Resolve(runnable, given, absolutePaths: true).ToJson();
            string outRoot = (string)(given.ValueOf(RunOptions.Out) ?? RunOptions.Out.Default!);
            string folder = RunDirectory.Create(outRoot, runnable.Name, record!.StartedUtc);
            var written = ReportWriter.WriteAll(record, folder);
            SummaryView.Show(_console, record);
            _console.MarkupLine($"Run folder: [blue]{Markup.Escape(Path.GetFullPath(folder))}[/] ({string.Join(", ", written.Select(Path.GetFileName))})");
            return 0;
        }
        catch (Exception e) when (e is GaltDataException or ArgumentException or InvalidDataException or IOException or InvalidOperationException)
        {
            _console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }
}
