using System.Diagnostics;
using Galt.Experiments.Data;
using Galt.Experiments.Reporting;
using Galt.Continual;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// <c>galt run curriculum-select</c>: chooses the curriculum recipe without looking at the validation split. Every
/// candidate of one selection round (<see cref="CurriculumRecipe.Rounds"/>; <c>--round N</c>, default the last) is trained and scored on the same packet-held-out folds of
/// <c>train.jsonl</c> (<see cref="CurriculumFolds"/>; 5 folds, split seed 42; <c>--quick</c>: 2 folds and
/// <see cref="CurriculumOptions.Shortened"/> recipes), --seeds seeds per fold; the recipe with
/// the highest mean held-out hard-violation recall, then the highest mean of the four accuracies the issue's bar names
/// (action, gate, memory, predicted access), wins; a tie goes to the earlier candidate (the round's incumbent first).
/// Summary keys <c>&lt;recipe&gt;.&lt;metric&gt;</c> (means over folds and seeds) and <c>selected_index</c>.
/// </summary>
public sealed class CurriculumSelectionExperiment : IRunnable
{
    /// <summary>The accuracies whose mean ranks the recipes (after hard-violation recall).</summary>
    public static IReadOnlyList<string> BarMetrics { get; } = new[] { "action_acc", "gate_acc", "memory_acc", "access_acc" };

    private static readonly (string Key, string Label)[] Reported =
    {
        ("action_acc", "action"), ("gate_acc", "gate"), ("memory_acc", "memory"), ("access_acc", "pred. access"), ("hard_violation_recall", "hard recall"),
        ("residual_acc", "residual"), ("memory_layer_acc", "mem. layer"), ("violation_layer_acc", "viol. layer"), ("direct_access_acc", "direct access"),
        ("boundary_ambiguity_recall", "BA recall"),
    };

    /// <summary>The recipes compared; null = the candidates of the round the run asks for (<see cref="RunContext.Round"/>, default the last).</summary>
    public IReadOnlyList<CurriculumRecipe>? Candidates { get; init; }

    /// <summary>Number of folds (<c>--quick</c> uses at most 2).</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Seed of the fold split.</summary>
    public int SplitSeed { get; init; } = 42;

    /// <inheritdoc />
    public string Name => "curriculum-select";

    /// <inheritdoc />
    public string Description => "Chooses the curriculum recipe by packet-held-out cross-validation inside train.jsonl (never the validation split); <recipe>.<metric> means and selected_index.";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "data-dir" or "seeds" or "round";

    /// <inheritdoc />
    public object? OptionDefault(string option, RunContext context) => option is "round" && Candidates is null ? CurriculumRecipe.Rounds.Count : null;

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        int round = context.Round ?? CurriculumRecipe.Rounds.Count;
        var candidates = Candidates ?? CurriculumRecipe.Round(round);
        string folder = CurriculumData.Folder(context);
        var seeds = Enumerable.Range(42 + context.Seed, context.SeedCount).ToList();
        var record = new RunRecord { Experiment = Name, Title = "Curriculum recipe selection by packet-held-out cross-validation on the training split", StartedUtc = DateTime.UtcNow, Seeds = seeds };
        if (Candidates is null) record.Config["round"] = round;
        var train = CurriculumReader.ReadSplit(folder, "train");
        int foldCount = context.Quick ? Math.Min(Folds, 2) : Folds;
        var folds = CurriculumFolds.Split(train, foldCount, SplitSeed);
        record.Data = new DataRecord
        {
            Source = Path.GetFullPath(folder), TrainCount = train.Count, TestCount = train.Count, SplitSeed = SplitSeed,
            Split = $"{foldCount} folds of the release's train split {CurriculumData.Describe(train)}, grouped by source and stratified as the release splits (spec §6.5); each fold held out once. The validation split is not read.",
        };

        var scores = new Dictionary<string, List<SortedDictionary<string, double>>>();
        var mistakes = new Dictionary<string, List<CurriculumMistake>>();
        using var task = context.Progress.Start("curriculum recipes × folds", candidates.Count * folds.Count * seeds.Count);
        foreach (var recipe in candidates)
        {
            var options = context.Quick ? recipe.Options.Shortened() : recipe.Options;
            record.Config[$"recipe.{recipe.Name}"] = recipe.Description + (context.Quick ? $" (quick: {options.Steps} steps)" : "");
            var trainer = new CurriculumTrainer(options);
            scores[recipe.Name] = new List<SortedDictionary<string, double>>();
            mistakes[recipe.Name] = new List<CurriculumMistake>();
            foreach (var fold in folds)
            {
                var data = new CurriculumData(fold.Train, fold.HeldOut, options);
                foreach (int seed in seeds)
                {
                    task.Describe($"{recipe.Name}, fold {fold.Index + 1}/{folds.Count}, seed {seed}");
                    var run = trainer.Run(data.Train, data.Scored, data.Vocabulary.Size, seed, NullProgress.Instance);
                    scores[recipe.Name].Add(run.Final);
                    mistakes[recipe.Name].AddRange(run.Mistakes);
                    record.TimingsSeconds[$"{recipe.Name}.fold_{fold.Index}.seed_{seed}"] = run.TrainSeconds;
                    task.Advance(1);
                }
            }
        }
        int selected = Select(candidates.Select(r => scores[r.Name]).ToList());
        Report(record, candidates, scores, folds, seeds, selected);
        AddMistakes(record, candidates, mistakes, seeds.Count);
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }

    /// <summary>
    /// The index of the winning recipe given each recipe's per-run held-out metrics: highest mean hard-violation recall,
    /// then highest mean of <see cref="BarMetrics"/>; ties go to the lower index.
    /// </summary>
    public static int Select(IReadOnlyList<IReadOnlyList<SortedDictionary<string, double>>> runsPerRecipe)
    {
        if (runsPerRecipe.Count == 0) throw new ArgumentException("no recipes to choose from.", nameof(runsPerRecipe));
        int best = 0;
        for (int i = 1; i < runsPerRecipe.Count; i++)
            if (Rank(runsPerRecipe[i]).CompareTo(Rank(runsPerRecipe[best])) > 0) best = i;
        return best;
    }

    /// <summary>Mean of a metric over the runs that report it (NaN when none do).</summary>
    public static double Mean(IEnumerable<SortedDictionary<string, double>> runs, string key)
    {
        var values = runs.Where(r => r.ContainsKey(key)).Select(r => r[key]).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static (double Hard, double Bar) Rank(IReadOnlyList<SortedDictionary<string, double>> runs) =>
        (Mean(runs, "hard_violation_recall") is var h && double.IsFinite(h) ? h : 0, BarMean(runs));

    /// <summary>Mean over <see cref="BarMetrics"/> of each metric's mean over <paramref name="runs"/>.</summary>
    private static double BarMean(IReadOnlyList<SortedDictionary<string, double>> runs) => BarMetrics.Average(k => Mean(runs, k));

    /// <summary>Which held-out rows the action and residual heads got wrong, per recipe, and in how many of the seeds.</summary>
    private static void AddMistakes(RunRecord record, IReadOnlyList<CurriculumRecipe> candidates, Dictionary<string, List<CurriculumMistake>> mistakes, int seeds)
    {
        var table = new ReportTable { Title = "Held-out rows the action or residual head got wrong (runs = seeds with that mistake)", Columns = { "recipe", "row", "head", "predicted", "target", "runs" } };
        foreach (var recipe in candidates)
            foreach (var g in mistakes[recipe.Name].Where(m => m.Head is "action" or "residual").GroupBy(m => m).OrderBy(g => g.Key.RowId, StringComparer.Ordinal).ThenBy(g => g.Key.Head, StringComparer.Ordinal))
                table.Rows.Add(new() { recipe.Name, g.Key.ShortRowId, g.Key.Head, g.Key.Predicted, g.Key.Target, $"{g.Count()}/{seeds}" });
        if (table.Rows.Count == 0) table.Rows.Add(new() { "all", "none", "", "", "", "" });
        record.Tables.Add(table);
    }

    private static void Report(RunRecord record, IReadOnlyList<CurriculumRecipe> candidates, Dictionary<string, List<SortedDictionary<string, double>>> scores, IReadOnlyList<CurriculumFold> folds, List<int> seeds, int selected)
    {
        static string F(double v) => CurriculumReport.F(v);
        var table = new ReportTable { Title = $"Held-out folds of train.jsonl: mean over {folds.Count} folds × {seeds.Count} seed(s)" };
        table.Columns.Add("recipe");
        table.Columns.AddRange(Reported.Select(r => r.Label));
        table.Columns.Add("bar mean");
        table.Columns.Add("selected");
        var heat = new PlotSpec { File = "recipe_metrics.png", Title = "Held-out accuracy by recipe (mean over folds and seeds)", Heatmap = new(), RowLabels = new(), ColumnLabels = Reported.Select(r => r.Label).ToList() };
        for (int i = 0; i < candidates.Count; i++)
        {
            var runs = scores[candidates[i].Name];
            var row = new List<string> { candidates[i].Name };
            foreach (var (key, _) in Reported)
            {
                double mean = Mean(runs, key);
                row.Add(F(mean));
                if (double.IsFinite(mean)) record.SetSummary($"{candidates[i].Name}.{key}", mean);
            }
            double bar = BarMean(runs);
            record.SetSummary($"{candidates[i].Name}.bar_mean", bar);
            row.Add(F(bar));
            row.Add(i == selected ? "yes" : "");
            table.Rows.Add(row);
            heat.RowLabels.Add(candidates[i].Name);
            heat.Heatmap.Add(Reported.Select(r => Mean(runs, r.Key)).ToList());
        }
        record.Tables.Add(table);

        var perFold = new ReportTable { Title = "Mean of the bar's four accuracies per held-out fold (mean over seeds)", Columns = { "recipe" } };
        perFold.Columns.AddRange(folds.Select(f => $"fold {f.Index + 1} ({f.HeldOut.Count(r => r.Adjudication is not null)} GALT rows)"));
        foreach (var recipe in candidates)
        {
            var runs = scores[recipe.Name];
            var row = new List<string> { recipe.Name };
            for (int k = 0; k < folds.Count; k++)
                row.Add(F(BarMean(runs.Skip(k * seeds.Count).Take(seeds.Count).ToList())));
            perFold.Rows.Add(row);
        }
        record.Tables.Add(perFold);
        if (seeds.Count > 1) AddPerSeed(record, candidates, scores, folds.Count, seeds);
        record.Plots.Add(heat);
        record.SetSummary("selected_index", selected);
        record.Config["selected"] = candidates[selected].Name;
        record.Notes.Add($"Selected: {candidates[selected].Name} — highest mean held-out hard-violation recall, then highest mean of {string.Join(", ", BarMetrics)}; ties go to the earlier candidate.");
    }

    /// <summary>
    /// With several seeds: the bar mean of every recipe per seed, and which recipe each seed alone would select
    /// (summary <c>selected_index.seed_&lt;seed&gt;</c>), so a choice that flips with the seed is visible.
    /// </summary>
    private static void AddPerSeed(RunRecord record, IReadOnlyList<CurriculumRecipe> candidates, Dictionary<string, List<SortedDictionary<string, double>>> scores, int folds, List<int> seeds)
    {
        // runs are stored fold by fold, seeds innermost
        List<SortedDictionary<string, double>> RunsOf(string recipe, int s) => Enumerable.Range(0, folds).Select(k => scores[recipe][k * seeds.Count + s]).ToList();
        var table = new ReportTable { Title = "Mean of the bar's four accuracies per seed (mean over folds); * = that seed alone would select the recipe", Columns = { "recipe" } };
        table.Columns.AddRange(seeds.Select(s => $"seed {s}"));
        var alone = seeds.Select((seed, s) => Select(candidates.Select(r => (IReadOnlyList<SortedDictionary<string, double>>)RunsOf(r.Name, s)).ToList())).ToArray();
        for (int i = 0; i < candidates.Count; i++)
        {
            var row = new List<string> { candidates[i].Name };
            for (int s = 0; s < seeds.Count; s++)
                row.Add(CurriculumReport.F(BarMean(RunsOf(candidates[i].Name, s))) + (alone[s] == i ? " *" : ""));
            table.Rows.Add(row);
        }
        record.Tables.Add(table);
        for (int s = 0; s < seeds.Count; s++) record.SetSummary($"selected_index.seed_{seeds[s]}", alone[s]);
        if (alone.Distinct().Count() > 1)
            record.Notes.Add($"The seeds disagree: alone, {string.Join("; ", seeds.Select((seed, s) => $"seed {seed} selects {candidates[alone[s]].Name}"))}. The selection above pools them.");
    }
}
