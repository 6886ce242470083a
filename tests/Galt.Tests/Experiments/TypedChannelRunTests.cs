using Galt.Channels;
using Galt.Experiments.TypedChannels;
using Galt.Continual;
using Galt.Tests.Channels;

namespace Galt.Tests.Experiments;

public class TypedChannelRunTests
{
    private static readonly ChoiceItem[] Items = RoutedCarrierTests.Items;

    private static TypedChannelData TinyData() => new(Items, Items, Items[..2], Items[..2], Items[2..], Items[2..]);

    [Fact]
    public void ARunRecordsPreAndPostMetricsStepsAndEverySuccessCheck()
    {
        var config = TypedChannelConfig.Find("v2-typed-identity");
        var outcome = TypedChannelRun.Run(config, TinyData(), _ => RoutedCarrierTests.TinyCarrier(), seed: 42, blockSize: 2, steps: 5, NullProgress.Instance);
        Assert.Equal(5, outcome.Steps.Count);
        Assert.Equal(new[] { true, true, true, true, false }, outcome.Steps.Select(s => s.PolicyOnly)); // warm-up of 4
        Assert.Equal(1, outcome.Refreshes); // K_in 4
        foreach (var key in new[] { "task_acc", "safety_acc", "retain_acc", "route_acc" }) Assert.True(outcome.Pre.ContainsKey(key), key);
        foreach (var key in new[] { "task_zero_gap", "retain_scramble_gap", "retain_output_only_gap", "matrix.retain.memory", "safety_margin" }) Assert.True(outcome.Post.ContainsKey(key), key);
        Assert.Equal(7, outcome.Checks.Count);
        Assert.True(outcome.Checks["all_step_scalars_finite"]);
        Assert.True(outcome.Checks["forward_targets_refreshed"]);
        Assert.Equal(outcome.Checks.Values.All(c => c), outcome.OverallPass);
        Assert.True(outcome.SecondsPerStep > 0);
        var again = TypedChannelRun.Run(config, TinyData(), _ => RoutedCarrierTests.TinyCarrier(), seed: 42, blockSize: 2, steps: 5, NullProgress.Instance);
        Assert.Equal(outcome.Post, again.Post);
        Assert.Equal(outcome.Steps.Select(s => s.Loss), again.Steps.Select(s => s.Loss));
    }

    [Fact]
    public void ConfigurationsAreTheSpecsTableAndUnknownNamesAreRefused()
    {
        Assert.Equal(new[] { "typed-v1", "typed-v1-shadow", "v2-baseline", "v2-routesplit", "v2-typed-identity", "v2-memory-only" }, TypedChannelConfig.All.Select(c => c.Name));
        var v1 = TypedChannelConfig.Find("typed-v1");
        Assert.Equal((2e-4, 40, 5, 40, 0.0, 4.0), (v1.LearningRate, v1.Steps, v1.OuterStepFrequency, v1.PolicyOnlyWarmup, v1.BaseChoiceScale, v1.RouteTask));
        var identity = TypedChannelConfig.Find("v2-typed-identity");
        Assert.True(identity.TypedRoutes);
        Assert.Equal(new IdentityAnchor(0.2, 3), identity.MemoryIdentity);
        var memoryOnly = TypedChannelConfig.Find("v2-memory-only");
        Assert.Equal((0.0, 0.5), (memoryOnly.RouteSafety, memoryOnly.RouteMemory));
        Assert.Contains("'bogus'", Assert.Throws<ArgumentException>(() => TypedChannelConfig.Find("bogus")).Message);
    }
}
