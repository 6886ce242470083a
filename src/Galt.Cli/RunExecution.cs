using Galt.Data;
using Galt.Experiments;
using Galt.Reporting;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>Runs one experiment or benchmark with progress bars, writes its folder, and shows its summary table.</summary>
public sealed class RunExecution
{
    private readonly IAnsiConsole _console;

    /// <summary>Creates the executor writing to <paramref name="console"/>.</summary>
    public RunExecution(IAnsiConsole console) => _console = console;

    /// <summary>Exit codes: 0 success, 1 the run failed (message shown), 2 unknown name.</summary>
    public int Execute(IReadOnlyList<IRunnable> catalog, string kind, string name, RunSettings settings)
    {
        var runnable = Catalog.Find(catalog, name);
        if (runnable is null)
        {
            _console.MarkupLine($"[red]error:[/] no {kind} named '{Markup.Escape(name)}'. Known: {Markup.Escape(string.Join(", ", catalog.Select(r => r.Name)))} ('galt list' describes them).");
            return 2;
        }
        foreach (var (option, given) in new[] { ("seeds", settings.SeedCount is not null), ("tasks", settings.Tasks is not null), ("stream", settings.Stream is not null), ("steps", settings.Steps is not null), ("recipe", settings.Recipe is not null), ("round", settings.Round is not null), ("variant", settings.Variant is not null), ("eval-size", settings.EvalSize is not null), ("dual-rule", settings.DualRule is not null), ("per-task", settings.PerTask is not null) })
            if (given && !runnable.AcceptsOption(option))
            {
                _console.MarkupLine($"[red]error:[/] --{option} does not apply to {kind} '{Markup.Escape(runnable.Name)}'.");
                return 2;
            }
        foreach (var (option, value) in new[] { ("seeds", settings.SeedCount), ("steps", settings.Steps), ("round", settings.Round), ("eval-size", settings.EvalSize), ("per-task", settings.PerTask) })
            if (value is < 1)
            {
                _console.MarkupLine($"[red]error:[/] --{option} must be at least 1; got {value}.");
                return 2;
            }
        try
        {
            RunRecord? record = null;
            _console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx => record = runnable.Run(new RunContext(settings.Seed, settings.Quick, settings.DataDir, new SpectreProgressSink(ctx))
                {
                    SeedCount = settings.SeedCount ?? 1, SeedCountGiven = settings.SeedCount is not null, Tasks = settings.Tasks, Stream = settings.Stream, Steps = settings.Steps, Recipe = settings.Recipe, Round = settings.Round,
                    Variant = settings.Variant, EvalSize = settings.EvalSize, DualRule = settings.DualRule, PerTask = settings.PerTask,
                }));
            string folder = RunDirectory.Create(settings.OutRoot, runnable.Name, record!.StartedUtc);
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
