using System.Diagnostics;
using System.Globalization;
using Galt.Experiments.Data;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// <c>galt run graph-demo-select</c>: the one declared selection of the graph demo's chain setting. The training images
/// are split (class-stratified, split seed <see cref="SplitSeed"/>) into a selection-train part and a validation part of
/// <see cref="ValidationFraction"/>; backprop-Adam and every candidate of <see cref="GraphDemoRecipe.Candidates"/> train
/// on the first and are scored on the second, with the demo's epochs (10 / 20) and seed. Rule, declared before scoring:
/// among the candidates whose forward residual stays within the demo's tolerance and whose safety constraint holds,
/// the highest validation accuracy wins (the smallest gap to backprop); a tie goes to the earlier candidate. The test
/// images are never read. Summary keys <c>&lt;recipe&gt;.validation_accuracy</c>, <c>&lt;recipe&gt;.gap_points</c>,
/// <c>&lt;recipe&gt;.max_forward_residual</c>, <c>&lt;recipe&gt;.safety_value</c>, <c>&lt;recipe&gt;.seconds</c>,
/// <c>backprop.validation_accuracy</c>, <c>selected_index</c>.
/// </summary>
public sealed class GraphDemoSelection : IRunnable
{
    /// <summary>Share of the training images held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seed of the train / validation split of the training images.</summary>
    public int SplitSeed { get; init; } = 20_261_201;

    /// <summary>The candidates compared; null = <see cref="GraphDemoRecipe.Candidates"/>.</summary>
    public IReadOnlyList<GraphDemoRecipe>? Candidates { get; init; }

    /// <inheritdoc />
    public string Name => "graph-demo-select";

    /// <inheritdoc />
    public string Description => "Chooses graph-demo's chain setting on a validation split of the training images (never the test images); <recipe>.validation_accuracy and selected_index.";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "data-dir";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        var candidates = Candidates ?? GraphDemoRecipe.Candidates;
        var demo = new GraphDemo();
        int backpropEpochs = context.Quick ? 2 : demo.BackpropEpochs, chainEpochs = 2 * backpropEpochs;
        var record = new RunRecord { Experiment = Name, Title = "Graph demo: chain setting chosen on a validation split of the training images", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        var data = MnistSource.Load(context.DataDir, context.Progress);
        var (fit, validation) = StratifiedSplit.Split(data.Train.Labels, (int)Math.Round(ValidationFraction * data.Train.Count), SplitSeed);
        var fitSet = data.Train.Subset(fit, data.Train.Source + " [selection train]");
        var validationSet = data.Train.Subset(validation, data.Train.Source + " [validation]");
        record.Data = new DataRecord
        {
            Source = data.Source, TrainCount = fitSet.Count, TestCount = validationSet.Count, SplitSeed = SplitSeed,
            Split = $"the training part of ({data.Description}) split again, class-stratified, {fitSet.Count:N0} selection-train / {validationSet.Count:N0} validation, split seed {SplitSeed}; the test images are not read",
        };
        record.Config["rule"] = "highest validation accuracy among candidates with max forward residual ≤ the demo's tolerance and the safety constraint feasible; ties go to the earlier candidate";
        record.Config["epochs"] = $"backprop {backpropEpochs}, chain {chainEpochs}";
        foreach (var r in candidates) record.Config[$"recipe.{r.Name}"] = r.Description;

        double backprop = GraphDemoTraining.Backprop(fitSet, validationSet, context.Seed, backpropEpochs, context.Progress).Accuracy;
        record.SetSummary("backprop.validation_accuracy", backprop);
        var outcomes = new List<ChainOutcome?>();
        foreach (var recipe in candidates)
        {
            ChainOutcome outcome;
            try
            {
                outcome = GraphDemoTraining.Chain(fitSet, validationSet, recipe.Chain, context.Seed, chainEpochs, context.Progress, recipe.Name);
            }
            catch (NonFiniteValueException e)
            {
                // A candidate that diverges is a result of the selection, not the end of it.
                outcomes.Add(null);
                record.SetSummary($"{recipe.Name}.diverged", 1);
                record.Notes.Add($"{recipe.Name} diverged and is not eligible: {e.Message}");
                continue;
            }
            outcomes.Add(outcome);
            record.SetSummary($"{recipe.Name}.validation_accuracy", outcome.FinalAccuracy);
            record.SetSummary($"{recipe.Name}.gap_points", 100 * (backprop - outcome.FinalAccuracy));
            record.SetSummary($"{recipe.Name}.max_forward_residual", outcome.Residuals.Max());
            record.SetSummary($"{recipe.Name}.safety_value", outcome.SafetyValue);
            record.SetSummary($"{recipe.Name}.seconds", outcome.Seconds.Total);
        }
        int selected = Select(outcomes, demo.ForwardTolerance);
        record.SetSummary("selected_index", selected);
        record.Config["selected"] = candidates[selected].Name;

        var table = new ReportTable
        {
            Title = $"Validation ({validationSet.Count:N0} images; backprop-Adam {F(backprop)} after {backpropEpochs} epochs)",
            Columns = { "recipe", "validation accuracy", "gap (points)", "max forward residual", "safety C", "chain seconds", "selected" },
        };
        var plot = new PlotSpec { File = "validation_accuracy.png", Title = "Validation accuracy of each chain setting", XLabel = "epoch", YLabel = "accuracy" };
        for (int i = 0; i < candidates.Count; i++)
        {
            var o = outcomes[i];
            if (o is null)
            {
                table.Rows.Add(new() { candidates[i].Name, "diverged", "", "", "", "", "" });
                continue;
            }
            table.Rows.Add(new() { candidates[i].Name, F(o.FinalAccuracy), (100 * (backprop - o.FinalAccuracy)).ToString("0.00", CultureInfo.InvariantCulture),
                F(o.Residuals.Max()), F(o.SafetyValue), o.Seconds.Total.ToString("0", CultureInfo.InvariantCulture), i == selected ? "yes" : "" });
            plot.Lines.Add(o.Accuracy);
        }
        plot.Lines.Add(new PlotLine { Label = "backprop (final)", X = { 1, chainEpochs }, Y = { backprop, backprop } });
        record.Tables.Add(table);
        record.Plots.Add(plot);
        record.Notes.Add($"Selected: {candidates[selected].Name}. {record.Config["rule"]}.");
        if (!outcomes.Any(o => o is not null && Eligible(o, demo.ForwardTolerance)))
            record.Notes.Add("No candidate kept its forward residual within the tolerance and its safety constraint feasible: the choice fell back to the highest validation accuracy overall.");
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }

    /// <summary>
    /// The index the declared rule picks: the highest accuracy among the eligible outcomes (<see cref="Eligible"/>),
    /// the earliest on ties; when none is eligible, the highest accuracy among those that did not diverge (null).
    /// </summary>
    public static int Select(IReadOnlyList<ChainOutcome?> outcomes, double tolerance)
    {
        var finished = Enumerable.Range(0, outcomes.Count).Where(i => outcomes[i] is not null).ToList();
        if (finished.Count == 0) throw new InvalidOperationException("every graph-demo candidate diverged; there is nothing to select.");
        var eligible = finished.Where(i => Eligible(outcomes[i]!, tolerance)).ToList();
        if (eligible.Count == 0) eligible = finished;
        int best = eligible[0];
        foreach (int i in eligible.Skip(1))
            if (outcomes[i]!.FinalAccuracy > outcomes[best]!.FinalAccuracy) best = i;
        return best;
    }

    /// <summary>Whether a run may be selected: its largest forward residual is within <paramref name="tolerance"/> and its safety constraint holds (C ≤ 0).</summary>
    public static bool Eligible(ChainOutcome outcome, double tolerance) => outcome.Residuals.Max() <= tolerance && outcome.SafetyValue <= 0;

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
