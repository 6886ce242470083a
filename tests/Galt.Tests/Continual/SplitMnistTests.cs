using System.Text.Json;
using Galt.Continual;
using Galt.Experiments.Data;
using Galt.Experiments.ContinualLearning;
using Galt.Tests.Cli;
using Galt.Tests.Data;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

public class SplitMnistTests
{
    [Fact]
    public void SplitStreamPartitionsDigitsAndPermutedStreamPermutesPixels()
    {
        var (pixels, labels) = SyntheticMnist.Digits(100, seed: 1);
        var set = new MnistDataset(pixels.Select(b => b / 255f).ToArray(), labels, "synthetic");
        using var split = MnistStreams.Split(set, set, tasks: 5);
        Assert.Equal(5, split.Tasks.Count);
        for (int t = 0; t < 5; t++)
        {
            var digits = split.Tasks[t].TrainY.data<long>().ToArray().Distinct().OrderBy(d => d).ToArray();
            Assert.Equal(new long[] { 2 * t, 2 * t + 1 }, digits);
        }
        using var permuted = MnistStreams.Permuted(set, set, tasks: 2, seed: 3);
        Assert.True(permuted.Tasks[0].TrainX.eq(split.PretrainX).all().item<bool>());
        Assert.False(permuted.Tasks[1].TrainX.eq(permuted.Tasks[0].TrainX).all().item<bool>());
        var sorted = permuted.Tasks[1].TrainX.sort(1).Values;
        Assert.True(sorted.eq(permuted.Tasks[0].TrainX.sort(1).Values).all().item<bool>()); // same pixels, other places
        Assert.Throws<ArgumentException>(() => MnistStreams.Split(set, set, tasks: 3));
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void QuickRunWritesTheReportSummaryKeysAndGaltCertificate()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 1000, testCount: 300);
        string outRoot = TempDir.Create();
        var (exit, text) = CliTests.Invoke("run", "split-mnist", "--quick", "--data-dir", data, "--out", outRoot);
        Assert.Equal(0, exit);
        Assert.Contains("Split-MNIST, 2 tasks: results", text);

        string runDir = Assert.Single(Directory.GetDirectories(outRoot));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "result.json")));
        var summary = doc.RootElement.GetProperty("summary");
        foreach (var strategy in StrategyCatalog.Names)
            foreach (var metric in new[] { "avg_accuracy", "forgetting", "bwt" })
                Assert.Equal(JsonValueKind.Number, summary.GetProperty($"{strategy}.{metric}").ValueKind);
        // The linearised multiplier rule (with restoration at task ends) ends every GALT strategy feasible.
        foreach (var strategy in StrategyCatalog.ConstrainedNames)
        {
            Assert.Equal(0.0, summary.GetProperty($"{strategy}.max_violation").GetDouble());
            Assert.Equal(1.0, summary.GetProperty($"{strategy}.feasible_seeds").GetDouble());
            Assert.Equal(JsonValueKind.Number, summary.GetProperty($"{strategy}.heldout_max_violation").ValueKind);
        }
        Assert.True(summary.GetProperty("penalty_search.runs").GetDouble() >= 2);
        TrainedMetric.AtLeast("galt_lowbp.local_backprops", summary.GetProperty("galt_lowbp.local_backprops").GetDouble(), 1);

        string report = File.ReadAllText(Path.Combine(runDir, "report.md"));
        Assert.Contains("feasibility certificates", report);
        Assert.Contains("| galt | 0 | retain_task_0 |", report);
        Assert.Contains("held-out C", report);
        Assert.Contains("penalty vs constraint at equal feasibility", report);
        Assert.Contains("| soft_penalty | 0 | retain_task_0 |", report);
        Assert.Contains("accuracy matrix of galt", report);
        foreach (var file in new[] { "penalty_vs_constraint.png", "accuracy_galt.png", "accuracy_naive.png", "lambda_trajectories.png", "rho_trajectories.png", "violation_trajectories.png" })
            Assert.True(File.Exists(Path.Combine(runDir, file)), $"{file} missing");
    }

    [Fact]
    public void OptionsOfOtherExperimentsAreRefused()
    {
        var (exit, text) = CliTests.Invoke("run", "mnist-baseline", "--tasks", "5");
        Assert.Equal(2, exit);
        Assert.Contains("--tasks does not apply", text);
        var (badExit, badText) = CliTests.Invoke("run", "split-mnist", "--quick", "--tasks", "3", "--data-dir", SyntheticMnist.WriteDirectory(100, 50), "--out", TempDir.Create());
        Assert.Equal(1, badExit);
        Assert.Contains("--tasks for the split stream must be 2, 5 or 10", badText);
        var (ruleExit, ruleText) = CliTests.Invoke("run", "split-mnist", "--quick", "--dual-rule", "fast", "--data-dir", SyntheticMnist.WriteDirectory(100, 50), "--out", TempDir.Create());
        Assert.Equal(1, ruleExit);
        Assert.Contains("--dual-rule must be one of measured, linearized, release; got 'fast'", ruleText);
    }
}
