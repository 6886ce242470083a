using System.Globalization;
using Galt.Memory;
using Galt.Reporting;

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
    public string Description => "Safety-indexed memory gates on the symbolic benchmark: hierarchical vs same-layer vs global flush vs flat MLP (summary <policy>.bottom_up/.top_down).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var seeds = Enumerable.Range(42 + context.Seed, 5).ToList();
        var record = new RunRecord { Experiment = Name, Title = "Safety-indexed memory gates (symbolic benchmark)", StartedUtc = DateTime.UtcNow, Seeds = seeds };
        record.Config["data"] = "onehot(m,4) ⊕ onehot(v,5) ⊕ 6 × N(0, 0.03); train 24 rows × 15 pairs, test 64 rows × 20 pairs; held out (2,0) (3,0) (3,1) (0,3) (1,3)";
        record.Config["flat_mlp"] = "15→24 tanh→1 sigmoid, N(0,0.15) weights, full-batch GD 1,200 steps, lr 0.05, BCE + 1e-4·Σw²";
        record.Notes.Add("The natural-language contrast gate (nl.heldout_pair_accuracy) and the curriculum model are not built yet.");
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
            double Std(Func<GateMetrics, double> f) { double m = Mean(f); return Math.Sqrt(runs.Average(r => (f(r) - m) * (f(r) - m))); }
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
        return record;
    }

    private static void Add(Dictionary<string, List<GateMetrics>> results, string policy, GateMetrics metrics)
    {
        if (!results.TryGetValue(policy, out var list)) results[policy] = list = new List<GateMetrics>();
        list.Add(metrics);
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
