using Galt.Channels;
using static TorchSharp.torch;

namespace Galt.Tests.Channels;

public class BlockLocalChannelTrainerTests
{
    private static readonly ChoiceItem[] Items = RoutedCarrierTests.Items;

    private static (RoutedCarrier Carrier, BlockLocalChannelTrainer Trainer, ChannelConstraints Constraints) Build(int warmup, int kIn, double baseChoiceScale = 0)
    {
        var carrier = new RoutedCarrier(RoutedCarrierTests.TinyCarrier(), new RoutedCarrierOptions
        {
            BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = baseChoiceScale, TypedOutputs = true, TypedRoutes = true,
        }, seed: 5);
        var objective = new TypedChannelObjective(carrier, new ChannelLossWeights { SafetyBranch = 0.5, MemoryBranch = 0.5, RouteTask = 4, RouteSafety = 0.5 });
        var constraints = new ChannelConstraints(carrier, Items[0], Items[..2], Items[2..], temperature: 1.5);
        var options = new BlockLocalOptions { Steps = 4, PolicyOnlyWarmupSteps = warmup, OuterStepFrequency = kIn };
        options = options with { Block = options.Block with { LearningRate = 1e-2 } };
        return (carrier, new BlockLocalChannelTrainer(carrier, objective, constraints, options), constraints);
    }

    private static float[] Snapshot(IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> named) =>
        named.SelectMany(p => p.Parameter.detach().data<float>().ToArray()).ToArray();

    [Fact]
    public void ThePolicyOnlyWarmUpLeavesTheCarrierLayersAloneAndLaterStepsMoveThem()
    {
        using var scope = NewDisposeScope();
        var (carrier, trainer, constraints) = Build(warmup: 1, kIn: 2);
        var layers = Enumerable.Range(0, carrier.Carrier.LayerCount).SelectMany(l => carrier.Carrier.LayerParameters(l)).ToArray();
        var policy = Enumerable.Range(0, carrier.Blocks).SelectMany(b => carrier.PolicyParameters(b)).ToArray();
        var layers0 = Snapshot(layers);
        var policy0 = Snapshot(policy);
        var uniform = full(4, 0.25f);
        var first = trainer.Step(0, Items[1], uniform, Items[..2], Items[2..]);
        Assert.True(first.PolicyOnly);
        Assert.Equal(layers0, Snapshot(layers));
        Assert.NotEqual(policy0, Snapshot(policy));
        var second = trainer.Step(1, Items[2], uniform, Items[..2], Items[2..]);
        Assert.False(second.PolicyOnly);
        Assert.NotEqual(layers0, Snapshot(layers));
        trainer.Dispose();
        constraints.Dispose();
    }

    [Fact]
    public void EveryBlockGetsTaskAndRouteForwardGradientAndTheTargetsRefreshEveryKIn()
    {
        using var scope = NewDisposeScope();
        var (carrier, trainer, constraints) = Build(warmup: 0, kIn: 2);
        var uniform = full(4, 0.25f);
        var records = Enumerable.Range(0, 4).Select(s => trainer.Step(s, Items[s % Items.Length], uniform, Items[..2], Items[2..])).ToArray();
        Assert.All(records, r => Assert.True(r.AllFinite));
        Assert.Equal(2, constraints.Refreshes);
        for (int b = 0; b < carrier.Blocks; b++)
        {
            Assert.Contains(records, r => r.Blocks[b].TaskGradientNorm > 0);
            Assert.Contains(records, r => r.Blocks[b].RouteForwardGradientNorm > 0);
        }
        // right after a refresh the targets are the current routes, so K_b is 0 up to rounding
        Assert.True(constraints.RouteForward(0).item<float>() < 1e-12 || records[^1].Step % 2 == 1);
        Assert.All(trainer.Optimizers, o => Assert.Equal(new[] { "route_forward_block_" + Array.IndexOf(trainer.Optimizers.ToArray(), o), "safety_alignment", "knowledge_retain" },
            o.Constraints.Select(c => c.Name)));
        Assert.All(trainer.ParameterCounts, d => Assert.True(d / 4 >= 10));
        trainer.Dispose();
        constraints.Dispose();
    }

    [Fact]
    public void KlConstraintsStartAtZeroAndTheRouteForwardConstraintMeasuresDrift()
    {
        using var scope = NewDisposeScope();
        var (carrier, trainer, constraints) = Build(warmup: 0, kIn: 100);
        Assert.Equal(0, constraints.SafetyKl().item<float>(), 1e-6);
        Assert.Equal(0, constraints.RetainKl().item<float>(), 1e-6);
        Assert.Equal(0, constraints.RouteForward(1).item<float>(), 1e-9);
        trainer.Step(0, Items[1], full(4, 0.25f), Items[..2], Items[2..]);
        Assert.True(constraints.RouteForward(1).item<float>() > 0, "the routes moved, so the route-forward edge is non-zero until the targets refresh");
        trainer.Dispose();
        constraints.Dispose();
    }

    [Fact]
    public void KlJacobiansFromTheObjectivesSharedPassEqualAFreshAutogradPass()
    {
        using var scope = NewDisposeScope();
        // with the dense path on, the carrier's own layers move the scores, so the KLs leave their anchors after one step
        var (carrier, trainer, constraints) = Build(warmup: 0, kIn: 100, baseChoiceScale: 1);
        trainer.Step(0, Items[1], full(4, 0.25f), Items[..2], Items[2..]);
        var parameters = Enumerable.Range(0, carrier.Blocks).SelectMany(b => carrier.BlockParameters(b).Select(p => p.Parameter)).ToArray();
        var objective = new TypedChannelObjective(carrier, new ChannelLossWeights { SafetyBranch = 0.5, MemoryBranch = 0.5, RouteTask = 4, RouteSafety = 0.5 });
        var loss = objective.Loss(Items[1], full(4, 0.25f), constraints.SafetyReplay, constraints.RetainReplay);
        var shared = constraints.SafetyKl(loss.Scores(ChannelData.Safety, ChannelBranch.Safety));
        Galt.Jacobians.AutogradJacobians.ValueAndGradient(loss.Value, parameters, retainGraph: true);
        var (sharedValue, sharedGradient) = Galt.Jacobians.AutogradJacobians.ValueAndGradient(shared, parameters);
        var (freshValue, freshGradient) = Galt.Jacobians.AutogradJacobians.ValueAndGradient(constraints.SafetyKl(), parameters);
        Assert.True(freshValue > 0, $"safety KL {freshValue} after one step");
        Assert.Equal(freshValue, sharedValue, 1e-9);
        for (int p = 0; p < parameters.Length; p++)
        {
            Assert.Equal(freshGradient[p] is null, sharedGradient[p] is null);
            if (freshGradient[p] is { } g) Assert.True((g - sharedGradient[p]!).abs().max().item<float>() <= 1e-6 * Math.Max(1, g.abs().max().item<float>()), $"parameter {p}");
        }
        trainer.Dispose();
        constraints.Dispose();
    }
}
