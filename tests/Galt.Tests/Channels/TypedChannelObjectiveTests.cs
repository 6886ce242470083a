using Galt.Channels;
using static TorchSharp.torch;

namespace Galt.Tests.Channels;

public class TypedChannelObjectiveTests
{
    private static readonly ChoiceItem[] Items = RoutedCarrierTests.Items;

    private static RoutedCarrier ZeroScoreCarrier() =>
        new(RoutedCarrierTests.TinyCarrier(), new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = 0, TypedOutputs = true }, seed: 5);

    [Fact]
    public void BlockWeightsAreThePowerLawOfTheSpec()
    {
        var w = new ChannelLossWeights().BlockWeights(7);
        var expected = new[] { 1, 4, 9, 16, 25, 36, 49 }.Select(v => v / 140.0).ToArray();
        for (int b = 0; b < 7; b++) Assert.Equal(expected[b], w[b], 12);
    }

    [Fact]
    public void WithZeroScoresEachTermHasItsClosedFormValue()
    {
        using var scope = NewDisposeScope();
        var carrier = ZeroScoreCarrier();
        var weights = new ChannelLossWeights
        {
            Distill = 0.5, SafetyBranch = 0.5, MemoryBranch = 0.5, SafetyShadow = new HingeTerm(0.5, 0.1), BranchPreference = new HingeTerm(1, 0.2),
            RouteTask = 0, RouteEntropy = 0,
        };
        var objective = new TypedChannelObjective(carrier, weights);
        var uniform = full(4, 0.25f);
        var (loss, terms) = objective.Loss(Items[1], uniform, Items[..2], Items[2..]);
        double ln4 = Math.Log(4);
        // every score is 0: each CE is ln 4, the distillation toward a uniform teacher is 0, every hinge equals its margin
        Assert.Equal(ln4, terms["task_ce"], 1e-5);
        Assert.Equal(0, terms["distill"], 1e-6);
        Assert.Equal(ln4, terms["safety_branch_ce"], 1e-5);
        Assert.Equal(ln4, terms["memory_branch_ce"], 1e-5);
        Assert.Equal(0.1, terms["safety_shadow"], 1e-6);
        Assert.Equal(6 * 0.2, terms["branch_preference"], 1e-5); // 3 data sets × 2 other branches
        Assert.Equal(ln4 + 0.5 * ln4 + 0.5 * ln4 + 0.5 * 0.1 + 1 * 1.2, loss.item<float>(), 1e-4);
        Assert.DoesNotContain("route_task_ce", terms.Keys);
    }

    [Fact]
    public void RouteTermsWeighTheBlocksAndIdentityAnchorsPullTowardTheirTarget()
    {
        using var scope = NewDisposeScope();
        var carrier = ZeroScoreCarrier();
        var objective = new TypedChannelObjective(carrier, new ChannelLossWeights { Distill = 0, RouteTask = 1, RouteEntropy = 1, MemoryIdentity = new IdentityAnchor(1, 3) });
        var (_, terms) = objective.Loss(Items[0], full(4, 0.25f), Items[..2], Items[2..]);
        var pass = carrier.Forward(ChannelBranch.Task, new[] { Items[0] });
        double expected = Enumerable.Range(0, carrier.Blocks).Sum(b => objective.BlockWeights[b] * -pass.RouteLogits[b].log_softmax(-1)[0, 0].item<float>());
        Assert.Equal(expected, terms["route_task_ce"], 1e-5);
        Assert.InRange(terms["route_entropy"], 0, Math.Log(4) + 1e-6);
        Assert.True(terms["memory_identity"] > 0);
        Assert.Throws<ArgumentException>(() => new TypedChannelObjective(carrier, new ChannelLossWeights { MemoryIdentity = new IdentityAnchor(1, 7) })
            .Loss(Items[0], full(4, 0.25f), Items[..2], Items[2..]));
        Assert.Throws<ArgumentException>(() => new ChannelLossWeights { Distill = -1 }.Validate());
    }
}
