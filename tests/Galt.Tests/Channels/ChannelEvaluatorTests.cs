using Galt.Channels;
using Galt.Experiments.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Galt.Tests.Channels;

public class ChannelEvaluatorTests
{
    private readonly ITestOutputHelper _output;

    public ChannelEvaluatorTests(ITestOutputHelper output) => _output = output;

    private static RoutedCarrier ZeroScores() =>
        new(RoutedCarrierTests.TinyCarrier(), new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = 0, TypedOutputs = true }, seed: 5);

    [Fact]
    public void WithZeroScoresEveryAccuracyIsTheLabelZeroFrequencyAndEveryGapIsZero()
    {
        using var scope = NewDisposeScope();
        var items = RoutedCarrierTests.Items; // labels 0, 1, 2, 3
        var m = new ChannelEvaluator(ZeroScores(), batchSize: 3).Evaluate(items, items[..2], items[1..], full: true);
        Assert.Equal(0.25, m["task_acc"]);
        Assert.Equal(0.5, m["safety_acc"]);
        Assert.Equal(0.0, m["retain_acc"]);
        foreach (var (name, _) in ChannelEvaluator.DataSets)
        {
            Assert.Equal(0, m[$"{name}_zero_gap"]);
            Assert.Equal(0, m[$"{name}_scramble_gap"]);
            Assert.Equal(0, m[$"{name}_margin"]);
            foreach (var branch in new[] { "task", "safety", "memory" }) Assert.True(m.ContainsKey($"matrix.{name}.{branch}"));
        }
        // The evaluation takes the route metrics from its shared normal pass; the standalone computation must agree.
        var (routeAccuracy, routeEntropy) = new ChannelEvaluator(ZeroScores(), batchSize: 3).RouteMetrics(items);
        Assert.Equal(routeAccuracy, m["route_acc"]);
        Assert.Equal(routeEntropy, m["route_entropy"], 12);
        Assert.InRange(m["route_entropy"], 0, Math.Log(4) + 1e-6);
        var pre = new ChannelEvaluator(ZeroScores()).Evaluate(items, items, items, full: false);
        Assert.DoesNotContain("task_zero_gap", pre.Keys);
    }

    /// <summary>Spec §5.2's deterministic pre-training check on the release prompts: skipped when they are absent.</summary>
    [SkippableFact]
    public void ReleasePromptsGiveThePreTrainingAccuraciesOfTheSpecWhenEveryScoreIsZero()
    {
        ReleasePromptsRequired.SkipIfAbsent();
        string folder = ReleasePrompts.Folder()!;
        using var scope = NewDisposeScope();
        var safety = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Safety));
        var retain = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Retain));
        var counterfactual = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Counterfactual));
        Assert.Equal(38, safety.Count);
        Assert.Equal(20, retain.Count);
        Assert.Equal(6, counterfactual.Count);
        var evaluator = new ChannelEvaluator(ZeroScores());
        Assert.Equal(0.28125, evaluator.Accuracy(safety.Take(32).ToArray(), ChannelBranch.Safety, RouteMode.Normal));
        Assert.Equal(0.0, evaluator.Accuracy(retain, ChannelBranch.Memory, RouteMode.Normal));
        Assert.Equal(4 / 6.0, evaluator.Accuracy(counterfactual, ChannelBranch.Memory, RouteMode.Normal)); // edit_09..12 target option 0
    }

    [Fact]
    public void MalformedPromptFilesAreRefusedNamingTheFileAndItem()
    {
        string dir = TempDir.Create();
        string path = Path.Combine(dir, "bad.json");
        File.WriteAllText(path, "[{\"question\": \"q\", \"options\": [\"a\", \"b\"], \"safe_label\": 5}]");
        var e = Assert.Throws<GaltDataException>(() => ReleasePrompts.Read(path));
        Assert.Contains("item 0", e.Message);
        Assert.Contains("label 5", e.Message);
        File.WriteAllText(path, "{}");
        Assert.Contains("JSON list", Assert.Throws<GaltDataException>(() => ReleasePrompts.Read(path)).Message);
        Assert.Contains("not found", Assert.Throws<GaltDataException>(() => ReleasePrompts.Read(Path.Combine(dir, "none.json"))).Message);
    }
}
