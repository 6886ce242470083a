using System.Globalization;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// The grid's tables, summary keys and plot, from the cell results alone: one table per constraint kind (model × lr ×
/// margin × method), one per kind and learning rate, the divergences, and the share of infeasible steps against the
/// learning rate.
/// </summary>
public static class ConstraintGridReport
{
    /// <summary>Writes the report's parts into <paramref name="record"/>.</summary>
    public static void Write(RunRecord record, IReadOnlyList<GridCellResult> results, GridSelection selection, int seedCount)
    {
        foreach (var kind in selection.Kinds)
        {
            var cells = results.Where(r => r.Cell.Kind == kind).ToList();
            if (cells.Count > 0) record.Tables.Add(KindTable(kind, cells, selection, seedCount));
        }
        record.Tables.Add(PerLearningRateTable(results, selection));
        if (Divergences(results) is { Rows.Count: > 0 } diverged) record.Tables.Add(diverged);
        Summarise(record, results, selection);
        record.Plots.Add(SharePlot(results, selection));
    }

    private static readonly string[] KindColumns =
    {
        "model", "lr", "margin (absolute, mean over seeds)", "method", "weight", "share infeasible (post-warm-up)", "mean violation", "max violation",
        "ends feasible", "violated steps with λ = 0", "λ end", "task loss start", "task loss end", "evals/step (total)", "extra evals/step", "diverged", "runs",
    };

    private static ReportTable KindTable(GridConstraintKind kind, List<GridCellResult> cells, GridSelection selection, int seedCount)
    {
        var table = new ReportTable
        {
            Title = $"{GridAxes.Name(kind)}: holding the constraint (means over {seedCount} seed(s), λ end and task loss end over the runs that did not diverge; counts k/seeds; baselines at their smallest holding weight, or at the cap 4^10 when none holds)",
            Columns = KindColumns.ToList(),
        };
        foreach (var result in cells)
            foreach (var method in selection.Methods)
            {
                if (result.Reported(method) is not { Count: > 0 } runs) continue;
                var search = result.Baselines.GetValueOrDefault(method);
                string weight = search is null ? "" : search.Found ? Number(search.Weight!.Value) : $"none ≤ {Number(GridBaselineSearch.Cap)}";
                table.Rows.Add(new()
                {
                    GridAxes.Name(result.Cell.Model), GridAxes.Name(result.Cell.LearningRate), $"{result.Cell.MarginLabel} ({Number(runs.Average(r => r.Margin))})",
                    MethodLabel(method), weight, Number(Mean(runs, r => r.ShareInfeasible)), Number(Mean(runs, r => r.MeanViolation)), Number(Max(runs, r => r.MaxViolation)),
                    $"{runs.Count(r => r.EndsFeasible)}/{runs.Count}", runs.Sum(r => r.LambdaZeroViolations).ToString(CultureInfo.InvariantCulture),
                    Number(Mean(Settled(runs), r => r.LambdaEnd)), Number(Mean(runs, r => r.TaskLossStart)), Number(Mean(Settled(runs), r => r.TaskLossEnd)),
                    Number(Mean(runs, r => r.EvaluationsPerStep)), Number(Mean(runs, r => r.ExtraEvaluationsPerStep)), $"{runs.Count(r => r.Diverged)}/{runs.Count}",
                    (search?.RunsCost ?? runs.Count).ToString(CultureInfo.InvariantCulture),
                });
            }
        return table;
    }

    private static ReportTable PerLearningRateTable(IReadOnlyList<GridCellResult> results, GridSelection selection)
    {
        var table = new ReportTable
        {
            Title = "Per kind and learning rate (means over models, margins and seeds; λ and task loss over the runs that did not diverge): share of post-warm-up steps infeasible, λ at the end, task loss at the end; " +
                    "baselines: cells where a holding weight was found, the range of those weights, and the task loss at them",
            Columns = { "kind", "lr", "cells" },
        };
        var optimizers = selection.Methods.Where(m => !IsBaseline(m)).ToList();
        var baselines = selection.Methods.Where(IsBaseline).ToList();
        foreach (var m in optimizers) table.Columns.AddRange(new[] { $"{GridAxes.Name(m)} share infeasible", $"{GridAxes.Name(m)} held k/cells", $"{GridAxes.Name(m)} λ end", $"{GridAxes.Name(m)} task loss" });
        foreach (var m in baselines) table.Columns.AddRange(new[] { $"{GridAxes.Name(m)} found", $"{GridAxes.Name(m)} {WeightName(m)}* range", $"{GridAxes.Name(m)} task loss" });
        foreach (var kind in selection.Kinds)
            foreach (double lr in selection.LearningRates)
            {
                var cells = results.Where(r => r.Cell.Kind == kind && r.Cell.LearningRate == lr).ToList();
                if (cells.Count == 0) continue;
                var row = new List<string> { GridAxes.Name(kind), GridAxes.Name(lr), cells.Count.ToString(CultureInfo.InvariantCulture) };
                foreach (var m in optimizers)
                {
                    var runs = cells.SelectMany(c => c.Reported(m) ?? Array.Empty<GridRunMetrics>()).ToList();
                    row.AddRange(new[] { Number(Mean(runs, r => r.ShareInfeasible)), $"{cells.Count(c => c.AllHeld(m) == true)}/{cells.Count}", Number(Mean(Settled(runs), r => r.LambdaEnd)), Number(Mean(Settled(runs), r => r.TaskLossEnd)) });
                }
                foreach (var m in baselines)
                {
                    var found = cells.Select(c => c.Baselines.GetValueOrDefault(m)).Where(s => s is { Found: true }).Select(s => s!).ToList();
                    string range = found.Count == 0 ? "—" : $"{Number(found.Min(s => s.Weight!.Value))}–{Number(found.Max(s => s.Weight!.Value))}";
                    row.AddRange(new[] { $"{found.Count}/{cells.Count}", range, Number(Mean(Settled(found.SelectMany(s => s.Runs).ToList()), r => r.TaskLossEnd)) });
                }
                table.Rows.Add(row);
            }
        return table;
    }

    private static ReportTable Divergences(IReadOnlyList<GridCellResult> results)
    {
        var table = new ReportTable { Title = "Runs that diverged (reported runs; baseline searches' other runs not listed)", Columns = { "cell", "method", "seed", "steps taken", "reason" } };
        foreach (var result in results)
            foreach (var method in GridAxes.Methods)
                foreach (var run in result.Reported(method) ?? Array.Empty<GridRunMetrics>())
                    if (run.Diverged)
                        table.Rows.Add(new() { result.Cell.Label, run.Method.Label, run.Seed.ToString(CultureInfo.InvariantCulture), run.StepsTaken.ToString(CultureInfo.InvariantCulture), run.DivergenceReason ?? "" });
        return table;
    }

    private static void Summarise(RunRecord record, IReadOnlyList<GridCellResult> results, GridSelection selection)
    {
        record.SetSummary("cells", results.Count);
        var optimizers = selection.Methods.Where(m => !IsBaseline(m)).ToList();
        var optimizerRuns = results.SelectMany(r => optimizers.SelectMany(m => r.Reported(m) ?? Array.Empty<GridRunMetrics>())).ToList();
        if (optimizers.Count > 0)
        {
            // A cell holds when every run of every constrained optimizer in it holds.
            record.SetSummary("cells_all_held", results.Count(r => optimizers.All(m => r.AllHeld(m) == true)));
            record.SetSummary("runs_diverged", optimizerRuns.Count(r => r.Diverged));
            record.SetSummary("runs_ending_infeasible", optimizerRuns.Count(r => !r.EndsFeasible));
            record.SetSummary("lambda_zero_violations", optimizerRuns.Sum(r => r.LambdaZeroViolations));
            SetFinite(record, "extra_evals_per_step.max", Max(optimizerRuns, r => r.ExtraEvaluationsPerStep));
            SetFinite(record, "evals_per_step.max", Max(optimizerRuns, r => r.EvaluationsPerStep));
        }
        foreach (var m in selection.Methods)
        {
            string name = GridAxes.Name(m);
            var runs = results.SelectMany(r => r.Reported(m) ?? Array.Empty<GridRunMetrics>()).ToList();
            SetFinite(record, $"max_share_infeasible.{name}", Max(runs, r => r.ShareInfeasible));
            SetFinite(record, $"mean_share_infeasible.{name}", Mean(runs, r => r.ShareInfeasible));
            record.SetSummary($"runs_diverged.{name}", runs.Count(r => r.Diverged));
            if (IsBaseline(m))
            {
                var searches = results.Select(r => r.Baselines.GetValueOrDefault(m)).Where(s => s is not null).Select(s => s!).ToList();
                record.SetSummary($"cells_found.{name}", searches.Count(s => s.Found));
                record.SetSummary($"search_runs.{name}", searches.Sum(s => s.RunsCost));
                continue;
            }
            record.SetSummary($"cells_all_held.{name}", results.Count(r => r.AllHeld(m) == true));
            record.SetSummary($"runs_ending_infeasible.{name}", runs.Count(r => !r.EndsFeasible));
            record.SetSummary($"lambda_zero_violations.{name}", runs.Sum(r => r.LambdaZeroViolations));
            SetFinite(record, $"extra_evals_per_step.max.{name}", Max(runs, r => r.ExtraEvaluationsPerStep));
            if (selection.Methods.Contains(GridMethodKind.SoftPenalty))
            {
                // Over cells where the optimizer held on every seed and the soft penalty found a holding weight.
                var compared = results.Where(r => r.AllHeld(m) == true && r.Baselines.GetValueOrDefault(GridMethodKind.SoftPenalty) is { Found: true }).ToList();
                int notWorse = compared.Count(r => Mean(r.Optimizers[m], x => x.TaskLossEnd) <= Mean(r.Baselines[GridMethodKind.SoftPenalty].Runs, x => x.TaskLossEnd));
                string suffix = m == GridMethodKind.Galt ? "" : $".{name}";
                record.SetSummary($"cells_loss_not_worse_than_penalty{suffix}", notWorse);
                record.SetSummary($"cells_loss_compared{suffix}", compared.Count);
            }
            foreach (var kind in selection.Kinds)
                foreach (double lr in selection.LearningRates)
                    SetFinite(record, $"share_infeasible.{name}.{GridAxes.Name(kind)}.lr_{GridAxes.Name(lr)}",
                        Mean(results.Where(r => r.Cell.Kind == kind && r.Cell.LearningRate == lr).SelectMany(r => r.Reported(m) ?? Array.Empty<GridRunMetrics>()).ToList(), r => r.ShareInfeasible));
        }
        foreach (double lr in selection.LearningRates)
        {
            var cells = results.Where(r => r.Cell.LearningRate == lr).ToList();
            if (optimizers.Count > 0) record.SetSummary($"cells_all_held.lr_{GridAxes.Name(lr)}", cells.Count(r => optimizers.All(m => r.AllHeld(m) == true)));
            foreach (var m in selection.Methods)
                SetFinite(record, $"share_infeasible.{GridAxes.Name(m)}.lr_{GridAxes.Name(lr)}", Mean(cells.SelectMany(r => r.Reported(m) ?? Array.Empty<GridRunMetrics>()).ToList(), r => r.ShareInfeasible));
        }
    }

    private static PlotSpec SharePlot(IReadOnlyList<GridCellResult> results, GridSelection selection)
    {
        var plot = new PlotSpec
        {
            File = "share_infeasible_vs_lr.png",
            Title = "Share of post-warm-up steps infeasible, mean over cells and seeds",
            XLabel = "log10(learning rate)",
            YLabel = "share of steps infeasible",
        };
        foreach (var m in selection.Methods)
        {
            var line = new PlotLine { Label = MethodLabel(m) };
            foreach (double lr in selection.LearningRates)
            {
                var runs = results.Where(r => r.Cell.LearningRate == lr).SelectMany(r => r.Reported(m) ?? Array.Empty<GridRunMetrics>()).ToList();
                if (runs.Count == 0) continue;
                line.X.Add(Math.Log10(lr));
                line.Y.Add(Mean(runs, r => r.ShareInfeasible));
            }
            if (line.X.Count > 0) plot.Lines.Add(line);
        }
        return plot;
    }

    private static bool IsBaseline(GridMethodKind m) => m is GridMethodKind.SoftPenalty or GridMethodKind.GradientAscent;

    private static string WeightName(GridMethodKind m) => m == GridMethodKind.SoftPenalty ? "w" : "η";

    private static string MethodLabel(GridMethodKind m) => m switch
    {
        GridMethodKind.SoftPenalty => "soft penalty w*",
        GridMethodKind.GradientAscent => "gradient ascent η*",
        _ => GridAxes.Name(m),
    };

    /// <summary>The runs that did not diverge: a diverged run's last λ and loss (up to 1e8 and 1e6, or beyond on the step that stopped it) would swamp a mean.</summary>
    private static List<GridRunMetrics> Settled(IEnumerable<GridRunMetrics> runs) => runs.Where(r => !r.Diverged).ToList();

    private static double Mean(IReadOnlyCollection<GridRunMetrics> runs, Func<GridRunMetrics, double> value)
    {
        var finite = runs.Select(value).Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : finite.Average();
    }

    private static double Max(IReadOnlyCollection<GridRunMetrics> runs, Func<GridRunMetrics, double> value)
    {
        var finite = runs.Select(value).Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : finite.Max();
    }

    private static void SetFinite(RunRecord record, string key, double value)
    {
        if (double.IsFinite(value)) record.SetSummary(key, value);
    }

    private static string Number(double value) => double.IsFinite(value) ? MarkdownReport.FormatNumber(value) : "—";
}
