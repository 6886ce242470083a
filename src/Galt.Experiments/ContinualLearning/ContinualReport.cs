using System.Globalization;
using Galt.Continual;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.ContinualLearning;

/// <summary>Turns per-seed protocol results into the run record's summary, tables and plots (one code path for every strategy).</summary>
public static class ContinualReport
{
    /// <summary>Adds one protocol's results to <paramref name="record"/>: summary keys start with <paramref name="prefix"/>, titles with <paramref name="protocol"/>.</summary>
    public static void Fill(RunRecord record, IReadOnlyList<ProtocolResult> protocols, int tasks, string prefix, string protocol)
    {
        var first = protocols[0];
        var names = first.Results.Select(r => r.Strategy).ToArray();
        string seedsNote = protocols.Count == 1 ? "1 seed" : $"mean ± population std over {protocols.Count} seeds";

        record.SetSummary(prefix + "pretrain_accuracy", protocols.Average(p => p.PretrainAccuracy));
        var table = new ReportTable { Title = $"{protocol}: results ({seedsNote}; max violation: largest over seeds of the final certificate, anchor sets / held-out)", Columns = { "strategy", "avg accuracy", "forgetting", "BWT", "max violation", "global BP", "local BP", "train s" } };
        foreach (var name in names)
        {
            var runs = protocols.Select(p => p.Results.Single(r => r.Strategy == name)).ToArray();
            var acc = Stats(runs.Select(r => r.AverageAccuracy));
            var forgetting = Stats(runs.Select(r => r.Forgetting));
            var bwt = Stats(runs.Select(r => r.BackwardTransfer));
            record.SetSummary($"{prefix}{name}.avg_accuracy", acc.Mean);
            record.SetSummary($"{prefix}{name}.forgetting", forgetting.Mean);
            record.SetSummary($"{prefix}{name}.bwt", bwt.Mean);
            record.SetSummary($"{prefix}{name}.avg_accuracy_std", acc.Std);
            record.SetSummary($"{prefix}{name}.forgetting_std", forgetting.Std);
            record.SetSummary($"{prefix}{name}.global_backprops", runs.Average(r => r.GlobalBackprops));
            record.SetSummary($"{prefix}{name}.local_backprops", runs.Average(r => r.LocalBackprops));
            record.SetSummary($"{prefix}{name}.train_seconds", runs.Average(r => r.WallSeconds));
            string violation = "";
            if (runs[0].Constraints?.Certificate is not null)
            {
                var certificates = runs.Select(r => r.Constraints!.Certificate!).ToArray();
                record.SetSummary($"{prefix}{name}.max_violation", certificates.Max(c => c.MaxViolation));
                record.SetSummary($"{prefix}{name}.feasible_seeds", certificates.Count(c => c.AllFeasible));
                if (runs[0].Constraints!.Names.Count > 0)
                    record.SetSummary($"{prefix}{name}.restoration_steps", runs.Average(r => r.Constraints!.RestorationSteps));
                if (runs.All(r => double.IsFinite(r.Constraints!.EvaluationsPerStep)))
                    record.SetSummary($"{prefix}{name}.contract_evals_per_step", runs.Average(r => r.Constraints!.EvaluationsPerStep));
                if (certificates.All(c => !double.IsNaN(c.MaxHeldOutViolation)))
                    record.SetSummary($"{prefix}{name}.heldout_max_violation", certificates.Max(c => c.MaxHeldOutViolation));
                violation = $"{F(certificates.Max(c => c.MaxViolation), "0.00000")} / {F(certificates.Max(c => c.MaxHeldOutViolation), "0.00000")}";
                foreach (var row in runs[0].Constraints!.Certificate!.Rows)
                {
                    record.SetSummary($"{prefix}{name}.lambda.{row.Name}", runs.Average(r => r.Constraints!.Certificate![row.Name].Lambda));
                    record.SetSummary($"{prefix}{name}.rho.{row.Name}", runs.Average(r => r.Constraints!.Certificate![row.Name].Rho));
                }
            }
            table.Rows.Add(new()
            {
                name, Show(acc, protocols.Count), Show(forgetting, protocols.Count), Show(bwt, protocols.Count), violation,
                F(runs.Average(r => r.GlobalBackprops), "0"), F(runs.Average(r => r.LocalBackprops), "0"), F(runs.Average(r => r.WallSeconds), "0.0"),
            });
        }
        record.SetSummary(prefix + "soft_penalty.weight", first.ChosenWeight);
        record.Tables.Add(table);
        record.Tables.Add(new ReportTable
        {
            Title = $"{protocol}: pretraining accuracy (all test data) and soft-penalty sweep (validation average accuracy)",
            Columns = new[] { "seed", "pretrain accuracy" }.Concat(StrategyCatalog.SoftPenaltyWeights.Select(w => $"w = {F(w, "0.#")}")).Append("chosen w").ToList(),
            Rows = protocols.Select(p => new[] { p.Seed.ToString(CultureInfo.InvariantCulture), F(p.PretrainAccuracy) }
                .Concat(p.Sweep.Select(s => F(s.ValidationAccuracy))).Append(F(p.ChosenWeight, "0.#")).ToList()).ToList(),
        });
        record.Tables.Add(new ReportTable
        {
            Title = $"{protocol}: hyperparameters", Columns = { "strategy", "settings" },
            Rows = first.Results.Select(r => new List<string> { r.Strategy, string.Join("; ", r.Hyperparameters.Select(kv => $"{kv.Key} = {kv.Value}")) }).ToList(),
        });
        AddCertificates(record, protocols, protocol);
        PenaltyReport.Add(record, protocols, prefix, protocol);
        AddAccuracyMatrices(record, first, tasks, prefix, protocol);
        AddTrajectories(record, first.Results, FilePrefix(prefix), protocol);
        if (prefix.Length > 0) return;
        record.Notes.Add($"Accuracy matrices and trajectories are from seed {first.Seed}. R[i][j] = test accuracy on task j after training task i; forgetting = mean over j < T−1 of R[j][j] − R[T−1][j]; BWT = −forgetting under this definition.");
        record.Notes.Add("Backprop counts are steps: a global step is one full backward pass of the task loss (GALT strategies also differentiate each constraint by autograd on it; EWC's Fisher batches and A-GEM's reference gradients are counted as global); a local step trains each block through its own local head only.");
    }

    private static (double Mean, double Std) Stats(IEnumerable<double> values) => SeedStatistics.MeanAndStd(values);

    private static string Show((double Mean, double Std) s, int seeds) => seeds == 1 ? F(s.Mean) : $"{F(s.Mean)} ± {F(s.Std)}";

    internal static string F(double v, string format = "0.0000") => v.ToString(format, CultureInfo.InvariantCulture);

    private static void AddCertificates(RunRecord record, IReadOnlyList<ProtocolResult> protocols, string protocol)
    {
        var table = new ReportTable
        {
            Title = $"{protocol}: feasibility certificates (each constraint re-evaluated at the end on its anchor set, and on 200 held-out training images of the same task; soft_penalty: the same KL terms, λ = its weight)",
            Columns = { "strategy", "seed", "constraint", "C = KL − margin", "feasible", "held-out C", "held-out feasible", "λ", "ρ" },
        };
        foreach (var p in protocols)
            foreach (var r in p.Results.Where(r => r.Constraints?.Certificate is not null))
                foreach (var row in r.Constraints!.Certificate!.Rows)
                    table.Rows.Add(new()
                    {
                        r.Strategy, p.Seed.ToString(CultureInfo.InvariantCulture), row.Name, F(row.Value, "0.00000"), row.Feasible ? "yes" : "no",
                        F(row.HeldOutValue, "0.00000"), row.HeldOutFeasible switch { true => "yes", false => "no", null => "" }, F(row.Lambda, "0.00000"), F(row.Rho, "0.###"),
                    });
        record.Tables.Add(table);
    }

    private static void AddAccuracyMatrices(RunRecord record, ProtocolResult first, int tasks, string prefix, string protocol)
    {
        var columns = Enumerable.Range(0, tasks).Select(j => $"task {j}").ToList();
        foreach (var r in first.Results)
        {
            var rows = Enumerable.Range(0, tasks).Select(i => $"after task {i}").ToList();
            record.Tables.Add(new ReportTable
            {
                Title = $"{protocol}: accuracy matrix of {r.Strategy}",
                Columns = new[] { "" }.Concat(columns).ToList(),
                Rows = Enumerable.Range(0, tasks).Select(i => new[] { rows[i] }.Concat(r.Accuracy[i].Select(a => double.IsNaN(a) ? "" : F(a))).ToList()).ToList(),
            });
            record.Plots.Add(new PlotSpec
            {
                File = $"{FilePrefix(prefix)}accuracy_{r.Strategy}.png", Title = $"{protocol}: accuracy matrix of {r.Strategy}", XLabel = "evaluated on", YLabel = "after training",
                Heatmap = r.Accuracy.Select(row => row.ToList()).ToList(), RowLabels = rows, ColumnLabels = columns,
            });
        }
    }

    internal static string FilePrefix(string prefix) => prefix.Replace('.', '_');

    /// <summary>
    /// λ, ρ and violation per constraint over the steps of every result that traced constraints, as three line plots
    /// (<c>&lt;filePrefix&gt;lambda_trajectories.png</c>, <c>rho_…</c>, <c>violation_…</c>); <paramref name="kind"/> names
    /// the constraints in the titles.
    /// </summary>
    internal static void AddTrajectories(RunRecord record, IEnumerable<StrategyResult> results, string filePrefix, string protocol, string kind = "retention constraint")
    {
        var traced = results.Where(r => r.Constraints is { Names.Count: > 0 }).ToArray();
        if (traced.Length == 0) return;
        foreach (var (file, title, label, pick) in new (string, string, string, Func<(int Step, double Lambda, double Rho, double Value), double>)[]
                 {
                     ("lambda_trajectories.png", $"Multiplier λ per {kind}", "λ", s => s.Lambda),
                     ("rho_trajectories.png", $"Penalty ρ per {kind}", "ρ", s => s.Rho),
                     ("violation_trajectories.png", $"Violation max(0, C) per {kind}", "violation", s => Math.Max(0, s.Value)),
                 })
        {
            var spec = new PlotSpec { File = filePrefix + file, Title = $"{protocol}: {title}", XLabel = "step (within the run)", YLabel = label };
            foreach (var r in traced)
                foreach (var name in r.Constraints!.Names)
                {
                    var series = r.Constraints.Of(name);
                    int stride = Math.Max(1, series.Count / 300);
                    var kept = series.Where((_, i) => i % stride == 0 || i == series.Count - 1).ToArray();
                    spec.Lines.Add(new PlotLine { Label = $"{r.Strategy} {name}", X = kept.Select(s => (double)s.Step).ToList(), Y = kept.Select(pick).ToList() });
                }
            record.Plots.Add(spec);
        }
    }
}
