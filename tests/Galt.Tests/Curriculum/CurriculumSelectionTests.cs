using Galt.Experiments.Data;
using Galt.Experiments;
using Galt.Experiments.CurriculumGate;
using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Tests.Curriculum;

public class CurriculumSelectionTests
{
    private static readonly CurriculumOptions Tiny = new()
    {
        Steps = 40, LanguageSteps = 5, TeacherSteps = 10, BatchSize = 12, Hidden = 16, Layers = 1, Heads = 2, MaxLength = 32, LearningRate = 3e-3, EvaluateEvery = 40,
    };

    [Fact]
    public void FoldsHoldOutEveryRowOnceAndKeepPacketsTogether()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 6), "train");
        var folds = CurriculumFolds.Split(rows, 3, seed: 42);
        Assert.Equal(3, folds.Count);
        var heldOut = folds.SelectMany(f => f.HeldOut.Select(r => r.Id)).ToList();
        Assert.Equal(rows.Select(r => r.Id).OrderBy(i => i, StringComparer.Ordinal), heldOut.OrderBy(i => i, StringComparer.Ordinal));
        foreach (var fold in folds)
        {
            Assert.Equal(rows.Count, fold.Train.Count + fold.HeldOut.Count);
            Assert.Empty(fold.Train.Select(r => r.Id).Intersect(fold.HeldOut.Select(r => r.Id)));
            // a packet's rows are all on one side
            var heldGroups = fold.HeldOut.Where(r => r.Stream == CurriculumStream.AdjudicatedMemory).Select(r => r.Group).ToHashSet();
            Assert.DoesNotContain(fold.Train, r => r.Stream == CurriculumStream.AdjudicatedMemory && heldGroups.Contains(r.Group));
            // stratified: 6 packets per domain, so every fold holds out hard-violation (safety) packets and language rows
            Assert.Contains(fold.HeldOut, r => r.Adjudication?.Residual == 2);
            Assert.Contains(fold.HeldOut, r => r.Stream == CurriculumStream.Language);
        }
        var sizes = folds.Select(f => f.HeldOut.Count).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 8, string.Join(",", sizes));
        Assert.Equal(folds.Select(f => f.HeldOut.Select(r => r.Id)), CurriculumFolds.Split(rows, 3, seed: 42).Select(f => f.HeldOut.Select(r => r.Id)));
        Assert.NotEqual(folds[0].HeldOut.Select(r => r.Id), CurriculumFolds.Split(rows, 3, seed: 7)[0].HeldOut.Select(r => r.Id));
    }

    [Fact]
    public void FoldCountIsChecked()
    {
        var rows = CurriculumReader.ReadSplit(SyntheticCurriculum.Write(trainPackets: 1), "train");
        Assert.Contains("at least 2 folds", Assert.Throws<ArgumentOutOfRangeException>(() => CurriculumFolds.Split(rows, 1, 42)).Message);
        Assert.Contains("source groups", Assert.Throws<ArgumentException>(() => CurriculumFolds.Split(rows, 50, 42)).Message);
    }

    private static SortedDictionary<string, double> Metrics(double hard, double bar) => new(StringComparer.Ordinal)
    {
        ["hard_violation_recall"] = hard, ["action_acc"] = bar, ["gate_acc"] = bar, ["memory_acc"] = bar, ["access_acc"] = bar,
    };

    [Fact]
    public void SelectionRanksHardRecallThenTheBarAndBreaksTiesTowardTheEarlierRecipe()
    {
        IReadOnlyList<SortedDictionary<string, double>> A(params SortedDictionary<string, double>[] runs) => runs;
        Assert.Equal(1, CurriculumSelectionExperiment.Select(new[] { A(Metrics(0.5, 1.0)), A(Metrics(1.0, 0.9)) }));
        Assert.Equal(2, CurriculumSelectionExperiment.Select(new[] { A(Metrics(1.0, 0.9)), A(Metrics(1.0, 0.95), Metrics(1.0, 0.9)), A(Metrics(1.0, 0.95)) }));
        Assert.Equal(0, CurriculumSelectionExperiment.Select(new[] { A(Metrics(1.0, 0.95)), A(Metrics(1.0, 0.95)) }));
    }

    [Fact]
    public void ClassWeightsOfOneLeaveTheLossAsItWasAndOtherWeightsChangeIt()
    {
        var dir = SyntheticCurriculum.Write(trainPackets: 2);
        var rows = CurriculumReader.ReadSplit(dir, "train");
        var data = new CurriculumData(rows, rows, Tiny);
        var galt = Enumerable.Range(0, rows.Count).Where(i => rows[i].Stream == CurriculumStream.AdjudicatedMemory).ToArray();
        manual_seed(3);
        using var model = new CurriculumTransformer(data.Vocabulary.Size, Tiny.Hidden, Tiny.Layers, Tiny.Heads, Tiny.MaxLength);
        using var scope = NewDisposeScope();
        double Loss(CurriculumClassWeights w) => CurriculumLoss.Compute(model, new CurriculumBatch(data.Train, galt, w, CPU), new CurriculumLossWeights()).Galt;
        double plain = Loss(CurriculumClassWeights.None);
        var ones = new CurriculumClassWeights(new[] { 1.0, 1, 1 }, new[] { 1.0, 1, 1, 1 }, new[] { 1.0, 1, 1, 1 }, null);
        Assert.Equal(plain, Loss(ones), 1e-4 * Math.Max(1, Math.Abs(plain))); // float32 sums in another order
        var skewed = CurriculumClassWeights.From(rows, Tiny with { AdjudicationClassWeights = true, ViolationClassWeights = false });
        Assert.NotEqual(plain, Loss(skewed), 3);
    }

    [Fact]
    public void SelectionRunsEveryCandidateOnTheFoldsWithoutReadingValidation()
    {
        string dir = SyntheticCurriculum.Write(trainPackets: 4);
        File.Delete(Path.Combine(dir, "validation.jsonl"));
        var experiment = new CurriculumSelectionExperiment
        {
            Folds = 2,
            Candidates = new[] { new CurriculumRecipe("tiny", "tiny", Tiny), new CurriculumRecipe("tiny-weighted", "tiny + class weights", Tiny with { AdjudicationClassWeights = true }) },
        };
        var record = experiment.Run(RunContext.Silent(dataDir: dir) with { SeedCount = 2 });
        // The rule, recomputed from the reported means: highest hard-violation recall, then highest bar mean, ties to the earlier.
        double Recall(string name) => record.Summary.TryGetValue($"{name}.hard_violation_recall", out double r) && double.IsFinite(r) ? r : 0;
        var names = experiment.Candidates!.Select(c => c.Name).ToArray();
        int expected = Enumerable.Range(0, names.Length).OrderByDescending(i => Recall(names[i])).ThenByDescending(i => record.Summary[$"{names[i]}.bar_mean"]).ThenBy(i => i).First();
        Assert.Equal(expected, record.Summary["selected_index"]);
        var perSeed = Assert.Single(record.Tables, t => t.Title.StartsWith("Mean of the bar's four accuracies per seed", StringComparison.Ordinal));
        Assert.Equal(new[] { "recipe", "seed 42", "seed 43" }, perSeed.Columns);
        foreach (int column in new[] { 1, 2 })
            Assert.Single(perSeed.Rows, r => r[column].EndsWith(" *", StringComparison.Ordinal));
        // Seed 43 alone selects the recipe its table column marks.
        int starred = perSeed.Rows.FindIndex(r => r[2].EndsWith(" *", StringComparison.Ordinal));
        Assert.Equal(starred, record.Summary["selected_index.seed_43"]);
        Assert.Equal(experiment.Candidates![(int)record.Summary["selected_index"]].Name, record.Config["selected"]!.ToString());
        // Each recipe's bar mean is the mean of its four bar metrics, and (every fold scored by both seeds) also the mean of
        // the per-fold bar means the second table prints to three decimals.
        var perFold = Assert.Single(record.Tables, t => t.Title.StartsWith("Mean of the bar's four accuracies per held-out fold", StringComparison.Ordinal));
        foreach (var name in new[] { "tiny", "tiny-weighted" })
        {
            double bar = record.Summary[$"{name}.bar_mean"];
            Assert.Equal(CurriculumSelectionExperiment.BarMetrics.Average(m => record.Summary[$"{name}.{m}"]), bar, 12);
            var folds = perFold.Rows.Single(r => r[0] == name).Skip(1).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, folds.Count);
            Assert.True(Math.Abs(folds.Average() - bar) <= 0.0005 + 1e-12, $"{name}: fold means {string.Join(", ", folds)} vs bar mean {bar}");
        }
        Assert.Equal(2, record.Tables[0].Rows.Count);
        Assert.Single(record.Tables[0].Rows, r => r[^1] == "yes");
        Assert.Contains(record.Tables, t => t.Title.StartsWith("Held-out rows the action or residual head got wrong", StringComparison.Ordinal));
        Assert.Equal(8, record.TimingsSeconds.Keys.Count(k => k.Contains(".fold_", StringComparison.Ordinal))); // 2 recipes × 2 folds × 2 seeds
    }
}
