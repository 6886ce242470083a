using System.Globalization;
using System.Text.Json.Nodes;
using Galt.Experiments.Reporting;

namespace Galt.Cli.Commands;

/// <summary>The record of a <c>galt soak</c>: a table of runs, summary counts, and a plot of seconds per run.</summary>
internal static class SoakRecord
{
    public static RunRecord Build(SoakSettings s, DateTime started, IReadOnlyList<SoakRunResult> results)
    {
        var record = new RunRecord
        {
            Experiment = $"soak-{s.Experiment}",
            Kind = "soak",
            Title = $"galt run {s.Experiment} under garbage-collector stress ({s.Runs} run(s))",
            StartedUtc = started,
            Config = new JsonObject
            {
                ["experiment"] = s.Experiment,
                ["run_arguments"] = string.Join(' ', s.RunArguments),
                ["interval_ms"] = s.IntervalMs,
                ["max_share"] = s.MaxShare,
                ["gen0_kib"] = s.Gen0KiB,
                ["runs"] = s.Runs,
                ["cli"] = Path.GetFullPath(s.Cli),
            },
        };
        record.SetSummary("runs", results.Count);
        record.SetSummary("crashes", results.Count(r => r.Crashed));
        record.SetSummary("finished", results.Count(r => r.ExitCode == 0));
        record.SetSummary("interrupted", results.Count(r => r.Resumable));
        record.SetSummary("legs", results.Sum(r => r.Legs));
        record.SetSummary("seconds.total", results.Sum(r => r.Seconds));
        var reported = results.Where(r => r.Child is not null).ToArray();
        if (reported.Length > 0)
        {
            record.SetSummary("forced_collections", reported.Sum(r => r.Child!.ForcedCollections));
            record.SetSummary("gen0_collections", reported.Sum(r => (double)r.Child!.Gen0Collections));
            if (reported.All(r => r.Child!.FinalizedTorchObjects is not null))
                record.SetSummary("finalized_torch_objects", reported.Sum(r => r.Child!.FinalizedTorchObjects!.Value));
        }
        string Cell(double v) => v.ToString("0", CultureInfo.InvariantCulture);
        record.Tables.Add(new ReportTable
        {
            Title = "Runs",
            Columns = new() { "run", "ended", "legs", "seconds", "forced full collections", "share of time in them", "waits lengthened", "GC pause share", "gen-0 collections", "TorchSharp objects finalized", "error", "run folder" },
            Rows = results.Select(r => new List<string>
            {
                r.Run.ToString(CultureInfo.InvariantCulture), r.Ending, r.Legs.ToString(CultureInfo.InvariantCulture), Cell(r.Seconds),
                r.Child is null ? "—" : r.Child.ForcedCollections.ToString(CultureInfo.InvariantCulture),
                Share(r.Child?.ForcedCollectionSeconds, r.Child?.Seconds),
                r.Child?.StretchedWaits?.ToString(CultureInfo.InvariantCulture) ?? "—",
                Share(r.Child?.GcPauseSeconds, r.Child?.Seconds),
                r.Child is null ? "—" : r.Child.Gen0Collections.ToString(CultureInfo.InvariantCulture),
                r.Child is null ? "—" : FinalizedCell(r.Child),
                r.Error ?? "",
                r.Crashed ? $"(died; log {Path.GetFileName(r.Log)})" : Path.GetFileName(r.RunFolder),
            }).ToList(),
        });
        record.Plots.Add(new PlotSpec
        {
            File = "soak_runs.png",
            Title = "Seconds per soak run (a run that died is marked at the time it died)",
            XLabel = "run",
            YLabel = "seconds",
            Lines = new()
            {
                Points("finished", results.Where(r => !r.Crashed)),
                Points("died", results.Where(r => r.Crashed)),
            },
        });
        record.Notes.Add($"Each run is 'galt run {s.Experiment} {string.Join(' ', s.RunArguments)}' in a child process with DOTNET_GCgen0size = {s.Gen0KiB} KiB and a thread forcing a full collection and the pending finalizers every {s.IntervalMs} ms (waiting longer after a slow collection, so that forced collections take at most {s.MaxShare.ToString("0.##", CultureInfo.InvariantCulture)} of the wall time); a child that does not finish (killed by a signal, or ended by an error) counts as a crash; one interrupted at a checkpoint (exit code 3), or stopped with the soak itself, is resumed by 'galt soak --resume' under the same stress, each resumption a leg (its seconds count from its start to its log's last line). The stress report (forced collections, shares) is the last leg's. The finalized-object count comes from the runtime's FinalizeObject events inside the child (Galt.Diagnostics.FinalizedTorchObjects); a build without that counter (--cli of an older build) says so. The stress runs as a .NET startup hook (DOTNET_STARTUP_HOOKS = Galt.SoakHook.dll), so an older build gets exactly the same stress.");
        return record;
    }

    private static string Share(double? part, double? whole) =>
        part is { } p && whole is { } w && w > 0 ? (p / w).ToString("0.00", CultureInfo.InvariantCulture) : "—";

    private static string FinalizedCell(SoakChildReport child) => child.FinalizedTorchObjects switch
    {
        null => "not counted (this build has no counter)",
        0 => "0",
        long n => $"{n} ({string.Join(", ", (child.FinalizedByType ?? new()).OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))})",
    };

    private static PlotLine Points(string label, IEnumerable<SoakRunResult> runs)
    {
        var list = runs.ToList();
        return new PlotLine { Label = label, X = list.Select(r => (double)r.Run).ToList(), Y = list.Select(r => r.Seconds).ToList(), PointsOnly = true };
    }
}
