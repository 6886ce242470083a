using System.Globalization;
using Galt.Experiments.Data;
using Galt.Memory;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.MemoryGates;

/// <summary>
/// <c>galt run memory-gates</c>: the symbolic gate benchmark of spec §6.2 — independent same-layer, global-flush and
/// hierarchical gates and a flat MLP on generated (memory layer, violation layer) rows, five seeds (42–46 + --seed).
/// Summary keys <c>&lt;policy&gt;.bottom_up</c> / <c>.top_down</c> (accuracy on the held-out bottom-up / top-down pairs),
/// plus overall, per-regime and held-out accuracies. (The natural-language contrast gate is not built yet.)
/// </summary>
public sealed class MemoryGatesExperiment : IRunnable
{
    /// <inheritdoc />
    public string Name => "memory-gates";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "data-dir";

    /// <inheritdoc />
    public string Description => "Safety-indexed memory gates on the symbolic benchmark: hierarchical vs same-layer vs global flush vs flat MLP (summary <policy>.bottom_up/.top_down).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var seeds = Enumerable.Range(42 + context.Seed, 5).ToList();
        var record = new RunRecord { Experiment = Name, Title = "Safety-indexed memory gates (symbolic benchmark)", StartedUtc = DateTime.UtcNow, Seeds = seeds };
        record.Config["data"] = "onehot(m,4) ⊕ onehot(v,5) ⊕ 6 × N(0, 0.03); train 24 rows × 15 pairs, test 64 rows × 20 pairs; held out (2,0) (3,0) (3,1) (0,3) (1,3)";
        record.Config["flat_mlp"] = "15→24 tanh→1 sigmoid, N(0,0.15) weights, full-batch GD 1,200 steps, lr 0.05, BCE + 1e-4·Σw²";

        IMemoryGate[] gates = { new IndependentLayerGate(), new GlobalFlushGate(), new HierarchicalGate() };
        var results = new Dictionary<string, List<GateMetrics>>();
        using (var task = context.Progress.Start("memory gates", seeds.Count))
        {
            foreach (int seed in seeds)
            {
                var train = SymbolicGateData.Train(seed);
                var test = SymbolicGateData.Test(seed);
                foreach (var gate in gates)
                    Add(results, gate.Name, GateMetrics.Score(test, test.Select(r => gate.Access(r.Memory, r.Violation)).ToArray()));
                using (var mlp = new FlatMlpGate(train, seed))
                    Add(results, "flat_mlp", GateMetrics.Score(test, mlp.Predict(test)));
                task.Advance(1);
            }
        }
        var table = new ReportTable
        {
            Title = $"Test accuracy, mean over seeds {seeds[0]}–{seeds[^1]} (population std in result.json when non-zero)",
            Columns = { "policy", "overall", "no violation", "bottom-up", "top-down", "held-out", "held-out bottom-up", "held-out top-down" },
        };
        foreach (var (policy, runs) in results)
        {
            double Mean(Func<GateMetrics, double> f) => runs.Average(f);
            double Std(Func<GateMetrics, double> f) => SeedStatistics.MeanAndStd(runs.Select(f)).Std;
            record.SetSummary($"{policy}.bottom_up", Mean(r => r.HeldOutBottomUp));
            record.SetSummary($"{policy}.top_down", Mean(r => r.HeldOutTopDown));
            record.SetSummary($"{policy}.accuracy", Mean(r => r.Accuracy));
            record.SetSummary($"{policy}.heldout", Mean(r => r.HeldOut));
            record.SetSummary($"{policy}.bottom_up_all", Mean(r => r.BottomUp));
            record.SetSummary($"{policy}.top_down_all", Mean(r => r.TopDown));
            record.SetSummary($"{policy}.accuracy_std", Std(r => r.Accuracy));
            table.Rows.Add(new() { policy, F(Mean(r => r.Accuracy)), F(Mean(r => r.NoViolation)), F(Mean(r => r.BottomUp)), F(Mean(r => r.TopDown)), F(Mean(r => r.HeldOut)), F(Mean(r => r.HeldOutBottomUp)), F(Mean(r => r.HeldOutTopDown)) });
        }
        record.Tables.Add(table);
        AddNaturalLanguage(record, context);
        return record;
    }

    /// <summary>The NL contrast gate on the release's 68 lessons (--data-dir, or the release data folder); skipped with a note when absent.</summary>
    private static void AddNaturalLanguage(RunRecord record, RunContext context)
    {
        string? folder = context.DataDir ?? (ReleaseData.Find() is { } release ? Path.Combine(release, "contrast-lessons") : null);
        if (folder is null || !Directory.Exists(folder))
        {
            record.Notes.Add("Natural-language gate skipped: the release's contrast lessons were not found (set GALT_RELEASE_DATA or pass --data-dir with the contrast-lessons folder).");
            return;
        }
        var lessons = ContrastLesson.ReadDirectory(folder);
        var (scores, memoryHead, violationHead, rows, trainRows) = NlContrastGate.Run(lessons, seed: 42 + context.Seed);
        record.Config["nl_data"] = $"{lessons.Count} contrast lessons from {Path.GetFullPath(folder)}; {rows} rows, {trainRows} for training (held-out pairs (2,0) (3,0) (3,1) (0,2)); bag of words, top 5,000 tokens";
        var table = new ReportTable
        {
            Title = "Natural-language contrast gate (all rows; train excludes the held-out pairs)",
            Columns = { "policy", "accuracy", "access P", "access R", "bottom-up", "top-down", "held-out pair", "held-out packet" },
        };
        foreach (var (policy, s) in scores)
        {
            record.SetSummary($"nl.{policy}.accuracy", s.Accuracy);
            record.SetSummary($"nl.{policy}.heldout_pair_accuracy", s.HeldOutPair);
            record.SetSummary($"nl.{policy}.heldout_packet_accuracy", s.HeldOutPacket);
            record.SetSummary($"nl.{policy}.bottom_up", s.BottomUp);
            record.SetSummary($"nl.{policy}.top_down", s.TopDown);
            table.Rows.Add(new() { policy, F(s.Accuracy), F(s.AccessPrecision), F(s.AccessRecall), F(s.BottomUp), F(s.TopDown), F(s.HeldOutPair), F(s.HeldOutPacket) });
        }
        record.SetSummary("nl.heldout_pair_accuracy", scores["predicted_hierarchical"].HeldOutPair);
        record.SetSummary("nl.memory_head_accuracy", memoryHead);
        record.SetSummary("nl.violation_head_accuracy", violationHead);
        record.Tables.Add(table);
        record.Notes.Add("nl.heldout_pair_accuracy is the hierarchical rule applied to the layer heads' predicted layers; the flat learners see only text.");
    }

    private static void Add(Dictionary<string, List<GateMetrics>> results, string policy, GateMetrics metrics)
    {
        if (!results.TryGetValue(policy, out var list)) results[policy] = list = new List<GateMetrics>();
        list.Add(metrics);
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
