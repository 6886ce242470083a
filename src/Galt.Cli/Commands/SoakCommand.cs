using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Galt.Experiments.Reporting;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary>
/// <c>galt soak &lt;experiment&gt; [run flags]</c>: runs an experiment in a child process under garbage-collector stress
/// (a tiny generation-0 budget and a thread forcing full collections and finalizers every few milliseconds) and reports
/// whether it survived. It provokes TorchSharp's finalizer race (an object freed by its finalizer while libtorch uses
/// it) instead of waiting for it: a build that leaves TorchSharp objects to the finalizer dies here within minutes.
/// </summary>
public static class SoakCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var experiment = new Argument<string>("experiment") { Description = "The experiment to soak ('galt list'); flags after it that soak does not know go to 'galt run'." };
        var interval = new Option<int>("--interval-ms") { Description = "Milliseconds between the stress thread's forced full collections (0: back to back).", DefaultValueFactory = _ => 2 };
        var share = new Option<double>("--max-share") { Description = "The most of the wall time the forced collections may take (0 < s ≤ 1): after a collection that took t the thread waits at least t·(1 − s)/s, so a process with a large heap keeps training between collections. 1: no bound.", DefaultValueFactory = _ => 0.5 };
        var gen0 = new Option<int>("--gen0-kib") { Description = "The child's generation-0 budget in KiB (DOTNET_GCgen0size): small means a collection every few allocations.", DefaultValueFactory = _ => 256 };
        var runs = new Option<int>("--runs") { Description = "How many times to run the experiment.", DefaultValueFactory = _ => 1 };
        var cli = new Option<string?>("--cli") { Description = "The Galt.Cli.dll to soak (default: this one), e.g. an older build's, to show what it does under the same stress." };
        var outRoot = new Option<string>("--soak-out") { Description = "Where the soak's folder goes.", DefaultValueFactory = _ => "runs" };
        var resume = new Option<string?>("--resume") { Description = "Continue the soak in this folder (one stopped from outside, or whose run was interrupted) under the stress it was started with: each unfinished run resumes from its checkpoints ('galt run --resume')." };
        var command = new Command("soak", "Run an experiment under garbage-collector stress in a child process and report crashes, forced collections and TorchSharp objects left to the finalizer.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Arguments.Add(experiment);
        command.Options.Add(interval);
        command.Options.Add(share);
        command.Options.Add(gen0);
        command.Options.Add(runs);
        command.Options.Add(cli);
        command.Options.Add(outRoot);
        command.Options.Add(resume);
        command.SetAction(parse => CommandGuard.Run<ArgumentException>(console, 2, () =>
        {
            if (parse.GetValue(resume) is { } folder)
            {
                var recorded = SoakFolder.ReadSettings(folder);
                if (recorded.Experiment != parse.GetValue(experiment))
                    throw new ArgumentException($"--resume: '{folder}' soaks {recorded.Experiment}, not {parse.GetValue(experiment)}.");
                if (parse.UnmatchedTokens.Count > 0 || parse.Tokens.Count(t => t.Type == System.CommandLine.Parsing.TokenType.Option) > 1)
                    throw new ArgumentException("--resume continues the soak with the options it was started with (soak.json in its folder); give no other options.");
                return Soak(console, recorded, folder);
            }
            var settings = new SoakSettings(parse.GetValue(experiment)!, parse.UnmatchedTokens.ToArray(), parse.GetValue(interval), parse.GetValue(share), parse.GetValue(gen0),
                parse.GetValue(runs), parse.GetValue(cli) ?? typeof(SoakCommand).Assembly.Location, parse.GetValue(outRoot)!);
            return Soak(console, settings);
        }));
        return command;
    }

    /// <summary>The startup hook that stresses the soaked process, shipped beside the CLI.</summary>
    private static string HookPath => Path.Combine(AppContext.BaseDirectory, "Galt.SoakHook.dll");

    private static int Soak(IAnsiConsole console, SoakSettings s, string? resumeFolder = null)
    {
        if (!File.Exists(HookPath)) throw new ArgumentException($"the soak's startup hook is missing: {HookPath} (rebuild the CLI).");
        s.Validate();
        var soak = resumeFolder is null ? SoakFolder.Create(s) : SoakFolder.Open(resumeFolder);
        var results = new List<SoakRunResult>();
        for (int i = 0; i < s.Runs; i++)
        {
            // A run whose last leg finished or crashed is final; an interrupted or unrecorded one continues from its checkpoints.
            if (soak.Result(i) is { Resumable: false } done)
            {
                results.Add(done);
                continue;
            }
            var result = RunLeg(console, s, soak, i);
            soak.Record(result);
            results.Add(result);
            console.MarkupLine(result.Crashed
                ? $"[red]run {i + 1}: died[/] ({Markup.Escape(result.Ending)}) after {result.Seconds:0} s: {Markup.Escape(result.Error ?? "no error line")}; log {Markup.Escape(result.Log)}"
                : $"run {i + 1}: {Markup.Escape(result.Ending)} after {result.Seconds:0} s ({result.Legs} leg(s)), {result.Child?.ForcedCollections ?? 0} forced collections, {result.Child?.FinalizedTorchObjects?.ToString(CultureInfo.InvariantCulture) ?? "?"} TorchSharp objects finalized");
        }
        var record = SoakRecord.Build(s, soak.Started, results);
        var written = ReportWriter.WriteAll(record, soak.Path);
        SummaryView.Show(console, record);
        console.MarkupLine($"Soak folder: [blue]{Markup.Escape(Path.GetFullPath(soak.Path))}[/] ({string.Join(", ", written.Select(Path.GetFileName))})");
        if (results.Any(r => r.Crashed)) return 1;
        if (results.Any(r => r.Resumable))
        {
            console.MarkupLine($"[yellow]interrupted:[/] continue it with: galt soak {Markup.Escape(s.Experiment)} --resume {Markup.Escape(Path.GetFullPath(soak.Path))}");
            return 3;
        }
        return 0;
    }

    /// <summary>The first line of <paramref name="log"/> that reports an error, for the report.</summary>
    private static string? FirstError(string log)
    {
        if (!File.Exists(log)) return null;
        var line = File.ReadLines(log).FirstOrDefault(l => l.Contains("exception", StringComparison.OrdinalIgnoreCase) || l.StartsWith("error", StringComparison.OrdinalIgnoreCase)
            || l.Contains("Segmentation", StringComparison.Ordinal) || l.Contains("Aborted", StringComparison.Ordinal));
        return line is null ? null : line.Length > 240 ? line[..240] + "…" : line.Trim();
    }

    private static SoakRunResult RunLeg(IAnsiConsole console, SoakSettings s, SoakFolder soak, int index)
    {
        string runOut = soak.RunOut(index);
        string log = soak.Log(index);
        string report = Path.Combine(soak.Path, $"run-{index + 1}.stress.json");
        var (leg, earlierSeconds) = soak.BeginLeg(index);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(s.Cli);
        start.ArgumentList.Add("run");
        if (leg > 1 && soak.ChildRunFolder(index) is { } interrupted)
        {
            start.ArgumentList.Add("--resume");
            start.ArgumentList.Add(interrupted);
        }
        else
        {
            start.ArgumentList.Add(s.Experiment);
            foreach (var a in s.RunArguments) start.ArgumentList.Add(a);
            start.ArgumentList.Add("--out");
            start.ArgumentList.Add(runOut);
        }
        start.Environment["DOTNET_GCgen0size"] = "0x" + ((long)s.Gen0KiB * 1024).ToString("x");
        // The stress itself is a startup hook (src/Galt.SoakHook), so it runs inside any build's process, old or new.
        start.Environment["DOTNET_STARTUP_HOOKS"] = HookPath;
        start.Environment["GALT_GC_STRESS_MS"] = s.IntervalMs.ToString(CultureInfo.InvariantCulture);
        start.Environment["GALT_GC_STRESS_SHARE"] = s.MaxShare.ToString("R", CultureInfo.InvariantCulture);
        start.Environment["GALT_SOAK_REPORT"] = report;
        start.Environment["NO_COLOR"] = "1";
        var clock = Stopwatch.StartNew();
        using var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        if (leg > 1) writer.WriteLine($"--- galt soak: leg {leg}, resumed from the run's checkpoints at {DateTime.UtcNow:O} ---");
        string last = "";
        int exit = 0;
        console.Status().Start($"soak run {index + 1}/{s.Runs} (leg {leg}): galt run {s.Experiment} under GC stress", ctx =>
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start 'dotnet'.");
            void Line(string? line)
            {
                if (line is null) return;
                lock (writer) writer.WriteLine(line);
                if (line.Trim().Length > 0) last = line.Trim();
            }
            process.OutputDataReceived += (_, e) => Line(e.Data);
            process.ErrorDataReceived += (_, e) => Line(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            while (!process.WaitForExit(1000))
                ctx.Status($"soak run {index + 1}/{s.Runs}: {clock.Elapsed:hh\\:mm\\:ss} {Markup.Escape(last.Length > 80 ? last[..80] : last)}");
            process.WaitForExit();
            exit = process.ExitCode;
        });
        SoakChildReport? child = File.Exists(report) ? JsonSerializer.Deserialize<SoakChildReport>(File.ReadAllText(report)) : null;
        if (child is not null && File.Exists(report + SoakCount.Suffix) && JsonSerializer.Deserialize<SoakFinalized>(File.ReadAllText(report + SoakCount.Suffix)) is { } finalized)
            child = child with { FinalizedTorchObjects = finalized.Count, FinalizedByType = finalized.ByType };
        return new SoakRunResult(index + 1, exit, earlierSeconds + clock.Elapsed.TotalSeconds, child, log, runOut, FirstError(log)) { Legs = leg };
    }
}

/// <summary>What <c>galt soak</c> was asked to do.</summary>
internal sealed record SoakSettings(string Experiment, string[] RunArguments, int IntervalMs, double MaxShare, int Gen0KiB, int Runs, string Cli, string OutRoot)
{
    public void Validate()
    {
        if (IntervalMs < 0) throw new ArgumentException($"--interval-ms {IntervalMs}: expected 0 or more milliseconds.");
        if (!(MaxShare > 0 && MaxShare <= 1)) throw new ArgumentException($"--max-share {MaxShare.ToString(CultureInfo.InvariantCulture)}: expected a share of the wall time in (0, 1].");
        if (Gen0KiB < 64) throw new ArgumentException($"--gen0-kib {Gen0KiB}: expected at least 64 (KiB).");
        if (Runs < 1) throw new ArgumentException($"--runs {Runs}: expected at least 1.");
        if (!File.Exists(Cli)) throw new ArgumentException($"--cli '{Cli}': no such file (expected a Galt.Cli.dll).");
        if (RunArguments.Any(a => a is "--out" || a.StartsWith("--out=")))
            throw new ArgumentException("--out: the soak chooses each run's folder (inside its own); use --soak-out for where the soak's folder goes.");
    }
}

/// <summary>What the soak's startup hook reports at a clean exit of its process.</summary>
/// <param name="ForcedCollections">Full collections the stress thread forced.</param>
/// <param name="Gen0Collections">All generation-0 collections of the process (the gen-0 budget's effect included).</param>
/// <param name="Gen2Collections">All full collections of the process.</param>
internal sealed record SoakChildReport(long ForcedCollections, int Gen0Collections, int Gen2Collections)
{
    /// <summary>Seconds the stress thread spent in its forced collections and finalizer runs (null: an older hook).</summary>
    public double? ForcedCollectionSeconds { get; init; }

    /// <summary>Forced collections slow enough that the share bound lengthened the wait after them (null: an older hook).</summary>
    public long? StretchedWaits { get; init; }

    /// <summary>Seconds the process was paused by any collection (<see cref="GC.GetTotalPauseDuration"/>).</summary>
    public double? GcPauseSeconds { get; init; }

    /// <summary>Seconds from the hook's start to the report.</summary>
    public double? Seconds { get; init; }

    /// <summary>TorchSharp objects freed by their finalizer while holding libtorch memory (null: the soaked build cannot count them).</summary>
    public long? FinalizedTorchObjects { get; init; }

    /// <summary>The same by kind.</summary>
    public Dictionary<string, long>? FinalizedByType { get; init; }
}

/// <summary>One child run of a soak (its last leg's ending; <see cref="Seconds"/> over every leg).</summary>
internal sealed record SoakRunResult(int Run, int ExitCode, double Seconds, SoakChildReport? Child, string Log, string RunFolder, string? Error)
{
    /// <summary>Legs the run took: 1, plus one per resumption after an interruption.</summary>
    public int Legs { get; init; } = 1;

    /// <summary>Interrupted (exit code 3: the run stopped at a checkpoint and can resume), so not final.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Resumable => ExitCode == RunExecution.Interrupted;

    /// <summary>On Unix a child killed by signal n exits with 128 + n.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? Signal => ExitCode > 128 && ExitCode < 128 + 65 ? ExitCode - 128 : null;

    /// <summary>Did not finish: died by a signal, or ended with an error (under stress, libtorch reading a freed object
    /// often fails a check, "Expected false to be true" from c10::Scalar, before it faults).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Crashed => ExitCode != 0 && !Resumable;

    /// <summary>How the run ended, in words.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Ending => Resumable ? "interrupted (resumable)" : Signal switch
    {
        11 => "SIGSEGV (segmentation fault)",
        6 => "SIGABRT (abort)",
        7 => "SIGBUS",
        9 => "SIGKILL (killed from outside: the kernel's out-of-memory killer or a user — see dmesg; not the finalizer race's signature)",
        4 => "SIGILL",
        int n => $"signal {n}",
        null => ExitCode == 0 ? "finished" : $"exit code {ExitCode}",
    };
}
