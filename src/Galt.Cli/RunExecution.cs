using Galt.Cli.Configuration;
using Galt.Experiments.Data;
using Galt.Experiments;
using Galt.Experiments.Reporting;
using Galt.Continual;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>Runs one experiment or benchmark with progress bars, writes its folder, and shows its summary table.</summary>
public sealed class RunExecution
{
    /// <summary>The exit code of a run stopped at a checkpoint that can be resumed (--interrupt-at).</summary>
    public const int Interrupted = 3;

    /// <summary>The folder inside a checkpointed run's folder that holds its journal (removed when the run finishes).</summary>
    public const string JournalFolder = "checkpoints";

    private readonly IAnsiConsole _console;

    /// <summary>Creates the executor writing to <paramref name="console"/>.</summary>
    public RunExecution(IAnsiConsole console) => _console = console;

    /// <summary>
    /// Runs <paramref name="request"/>; with <paramref name="recordConfig"/>, the record holds the effective configuration
    /// (<see cref="RunRecord.RunConfig"/>), written to result.json, report.md and run.toml. Exit codes: 0 success, 1 the run
    /// failed (message shown), 3 the run was interrupted (a drill; it can be resumed).
    /// </summary>
    /// <param name="request">The experiment and its options.</param>
    /// <param name="recordConfig">Record the effective configuration.</param>
    /// <param name="resumeFolder">
    /// The folder of an interrupted checkpointed run to continue (--resume): results go into it, finished units come from
    /// its journal. Null: a new run.
    /// </param>
    /// <param name="interruptAt">Hidden drill: stop the strategy run with this journal key after this step.</param>
    public int Execute(RunRequest request, bool recordConfig, string? resumeFolder = null, (string Key, long Step)? interruptAt = null)
    {
        var runnable = request.Runnable;
        var given = request.Given.Normalized();
        string outRoot = (string)(given.ValueOf(RunOptions.Out) ?? RunOptions.Out.Default!);
        string? folder = resumeFolder;
        try
        {
            RunJournal? journal = null;
            // Experiments that support the journal checkpoint by default (their OptionDefault); 0 turns it off.
            var checkpointEvery = given.ValueOf("checkpoint-every") ?? (runnable.AcceptsOption("checkpoint-every")
                ? runnable.OptionDefault("checkpoint-every", RunOptions.ContextFor(given, NullProgress.Instance)) : null);
            if (checkpointEvery is int every && every > 0)
            {
                if (folder is null)
                {
                    // A checkpointed run owns its folder from the start: the journal and the configuration to resume with live there.
                    folder = RunDirectory.Create(outRoot, runnable.Name, DateTime.UtcNow);
                    File.WriteAllText(Path.Combine(folder, RunConfigToml.FileName),
                        RunConfigToml.Write(runnable.Name, EffectiveRunConfig.Resolve(runnable, given, absolutePaths: true).ToJson()));
                }
                else if (!Directory.Exists(Path.Combine(folder, JournalFolder)))
                    throw new IOException($"nothing to resume in '{folder}': it has no {JournalFolder}/ folder (the run finished, or was started with --checkpoint-every 0).");
                journal = new RunJournal(Path.Combine(folder, JournalFolder), every) { InterruptAt = interruptAt };
                RunMarker.Write(runnable.Name, folder);
            }
            else if (folder is not null)
                throw new ArgumentException($"'{folder}' is not a checkpointed run: its {RunConfigToml.FileName} has checkpoint-every = 0 or none.");
            if (interruptAt is not null && journal is null) throw new ArgumentException("--interrupt-at needs a checkpointed run (--checkpoint-every).");

            RunRecord? record = null;
            _console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx => record = runnable.Run(RunOptions.ContextFor(given, new SpectreProgressSink(ctx)) with { Journal = journal }));
            if (recordConfig) record!.RunConfig = EffectiveRunConfig.Resolve(runnable, given, absolutePaths: true).ToJson();
            folder ??= RunDirectory.Create(outRoot, runnable.Name, record!.StartedUtc);
            var written = ReportWriter.WriteAll(record!, folder);
            SummaryView.Show(_console, record!);
            if (journal is not null)
            {
                if (journal.Reused + journal.Continued > 0)
                    _console.MarkupLine($"Resumed: {journal.Reused} unit(s) taken from the journal, {journal.Continued} continued from a checkpoint.");
                Directory.Delete(journal.Folder, recursive: true);   // finished: the results are in the folder, the checkpoints are spent
            }
            _console.MarkupLine($"Run folder: [blue]{Markup.Escape(Path.GetFullPath(folder))}[/] ({string.Join(", ", written.Select(Path.GetFileName))})");
            return 0;
        }
        catch (OperationCanceledException e)
        {
            _console.MarkupLine($"[yellow]interrupted:[/] {Markup.Escape(e.Message)}");
            _console.MarkupLine($"Continue with: galt run {Markup.Escape(runnable.Name)} --resume {Markup.Escape(Path.GetFullPath(folder!))}");
            return Interrupted;
        }
        catch (Exception e) when (e is GaltDataException or Galt.Checkpoints.CheckpointException or ArgumentException or InvalidDataException or IOException or InvalidOperationException)
        {
            _console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }
}
