using System.Globalization;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.CurriculumGate;

/// <summary>Turns the seeds' curriculum results into the run record: summary keys, the metric table and the plots.</summary>
public static class CurriculumReport
{
    /// <summary>The metrics the issue names, in table order, with the release's test-split value (spec §6.7, mean of seeds 42–44).</summary>
    private static readonly (string Key, string Label, double? Release)[] Headline =
    {
        ("action_acc", "action", 1), ("gate_acc", "gate", 1), ("memory_acc", "memory", 1), ("residual_acc", "residual", 0.9896),
        ("memory_layer_acc", "memory layer", 1), ("violation_layer_acc", "violation layer", 0.9841), ("access_acc", "predicted access", 1),
        ("direct_access_acc", "direct access", 1), ("hard_violation_recall", "hard-violation recall", 1),
        ("boundary_ambiguity_recall", "boundary-ambiguity recall", 0.9667), ("teacher_action_acc", "teacher action", 1),
        ("teacher_state_acc", "teacher state", 1), ("teacher_residual_acc", "teacher residual", 1), ("lm_loss", "LM loss", 6.071),
    };

    /// <summary>Metrics plotted against the step.</summary>
    private static readonly string[] Plotted = { "action_acc", "memory_acc", "residual_acc", "violation_layer_acc", "access_acc" };

    /// <summary>Adds summary keys <c>&lt;metric&gt;.mean</c> / <c>.std</c> (population std), the table and the plots.</summary>
    public static void Fill(RunRecord record, IReadOnlyList<CurriculumRunResult> runs)
    {
        var keys = runs.SelectMany(r => r.Final.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var key in keys)
        {
            var (mean, std) = SeedStatistics.MeanAndStd(runs.Where(r => r.Final.ContainsKey(key)).Select(r => r.Final[key]));
            record.SetSummary($"{key}.mean", mean);
            record.SetSummary($"{key}.std", std);
        }
        record.SetSummary("train_seconds.mean", runs.Average(r => r.TrainSeconds));
        record.SetSummary("parameters", runs[0].Parameters);

        var table = new ReportTable { Title = $"Validation split after {runs[0].History[^1].Step} steps (population std over seeds)" };
        table.Columns.Add("metric");
        table.Columns.AddRange(runs.Select(r => $"seed {r.Seed}"));
        table.Columns.Add("mean ± std");
        table.Columns.Add("release (test split, 3 seeds)");
        foreach (var (key, label, release) in Headline.Concat(keys.Where(k => Headline.All(h => h.Key != k)).Select(k => (k, k, (double?)null))))
        {
            var values = runs.Select(r => r.Final.TryGetValue(key, out double v) ? v : double.NaN).ToArray();
            var present = values.Where(double.IsFinite).ToArray();
            if (present.Length == 0) continue;
            var row = new List<string> { label };
            row.AddRange(values.Select(F));
            var (mean, std) = SeedStatistics.MeanAndStd(present);
            row.Add($"{F(mean)} ± {F(std)}");
            row.Add(release is { } r ? F(r) : "");
            table.Rows.Add(row);
        }
        record.Tables.Add(table);

        var history = new PlotSpec { File = "validation_history.png", Title = "Validation accuracy during training (mean over seeds)", XLabel = "step", YLabel = "accuracy" };
        foreach (var key in Plotted)
        {
            var steps = runs[0].History.Select(c => c.Step).ToList();
            var line = new PlotLine { Label = key };
            for (int i = 0; i < steps.Count; i++)
            {
                var at = runs.Select(r => r.History[i].Metrics.TryGetValue(key, out double v) ? v : double.NaN).Where(double.IsFinite).ToArray();
                if (at.Length == 0) continue;
                line.X.Add(steps[i]);
                line.Y.Add(at.Average());
            }
            history.Lines.Add(line);
        }
        record.Plots.Add(history);
        AddMistakes(record, runs);
        var loss = new PlotSpec { File = "training_loss.png", Title = "Training loss per step (sum over the active streams)", XLabel = "step", YLabel = "loss" };
        foreach (var run in runs)
            loss.Lines.Add(new PlotLine { Label = $"seed {run.Seed}", X = Enumerable.Range(1, run.Losses.Count).Select(s => (double)s).ToList(), Y = run.Losses.ToList() });
        record.Plots.Add(loss);
    }

    /// <summary>Which validation rows the adjudication heads got wrong, per seed: where every accuracy below 1 comes from.</summary>
    private static void AddMistakes(RunRecord record, IReadOnlyList<CurriculumRunResult> runs)
    {
        var table = new ReportTable { Title = "Validation rows answered wrongly after the last step (adjudication and layer heads)", Columns = { "seed", "row", "head", "predicted", "target" } };
        foreach (var run in runs)
            foreach (var m in run.Mistakes.Where(m => !m.Head.StartsWith("teacher_", StringComparison.Ordinal)))
                table.Rows.Add(new() { run.Seed.ToString(CultureInfo.InvariantCulture), m.ShortRowId, m.Head, m.Predicted, m.Target });
        if (table.Rows.Count == 0) table.Rows.Add(new() { "all", "none", "", "", "" });
        record.Tables.Add(table);
    }

    /// <summary>A table cell: three decimals, or "–" for a missing (non-finite) value.</summary>
    internal static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
