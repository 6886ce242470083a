using Galt.Channels;
using Galt.Models;
using static TorchSharp.torch;
using Galt.Experiments.TypedChannels;

namespace Galt.Tests.Channels;

/// <summary>The routed carrier on a tiny random <see cref="TransformerTrunk"/> (4 layers of width 16, blocks of 2 layers).</summary>
public class RoutedCarrierTests
{
    internal static readonly ChoiceItem[] Items =
    {
        new("which color is the sky on a clear day", new[] { "blue", "green", "red", "black" }, 0),
        new("which animal says moo", new[] { "cat", "cow", "dog", "bird" }, 1),
        new("what is two plus two", new[] { "three", "five", "four", "six" }, 2),
        new("which season is the coldest", new[] { "spring", "summer", "autumn", "winter" }, 3),
    };

    internal static TrunkCarrier TinyCarrier()
    {
        random.manual_seed(11).Dispose();
        var trunk = new TransformerTrunk(vocabulary: 200, maxLength: 96, width: 16, heads: 2, layers: 4);
        return new TrunkCarrier(trunk, TrunkCarrier.VocabularyOf(Items.Select(i => i.Render())));
    }

    private static RoutedCarrier Routed(RoutedCarrierOptions options) => new(TinyCarrier(), options, seed: 5);

    [Fact]
    public void AWholeCarrierPassLeavesOnlyItsSummaryInTheCallersScope()
    {
        // Regression: the pass left every layer's states in the caller's scope, and typed-channels v2, which scores many
        // batches of dense choices in one scope, grew past 24 GB.
        using var carrier = TinyCarrier();
        using var scope = NewDisposeScope();
        var texts = Items.Select(i => i.Render()).ToArray();
        carrier.Summary(texts).Dispose(); // warm-up: lazily made tensors (caches) are not the pass's
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        using (no_grad())
            for (int call = 0; call < 5; call++) carrier.Summary(texts);
        Assert.Equal(before + 5, TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void ZeroModePicksExpertZeroAndHeadZeroEverywhere()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = 0 });
        Assert.Equal(2, routed.Blocks);
        var (hidden, mask) = routed.Choices!.Embed(Items);
        var pass = routed.Forward(ChannelBranch.Task, hidden, mask, RouteMode.Zero);
        Assert.All(pass.Experts, block => Assert.All(block, e => Assert.Equal(0, e)));
        Assert.All(pass.OutputHead, k => Assert.Equal(0, k));
        var rms = pass.Summary.pow(2).mean(new long[] { -1 }).sqrt();
        Assert.True((rms - 1).abs().max().item<float>() < 1e-3, "the summary the heads read has unit RMS");
        // block 0 always reads the uniform route, so it picks expert 0 in every mode
        Assert.All(routed.Forward(ChannelBranch.Task, hidden, mask, RouteMode.Scramble).Experts[0], e => Assert.Equal(0, e));
    }

    [Fact]
    public void ScrambleAppliesTheRecordedPermutationsToWhatEachBlockAndTheOutputRead()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 1, OutputExpertScale = 2, BaseChoiceScale = 0 });
        var (hidden, mask) = routed.Choices!.Embed(Items);
        foreach (var mode in new[] { RouteMode.Normal, RouteMode.Scramble, RouteMode.ScrambleBlocksOnly, RouteMode.ScrambleOutputOnly })
        {
            var pass = routed.Forward(ChannelBranch.Task, hidden, mask, mode);
            for (int b = 1; b < routed.Blocks; b++)
            {
                var read = routed.Transform.ForBlock(pass.Routes[b - 1], b, mode);
                Assert.Equal(read.argmax(-1).data<long>().ToArray(), pass.Experts[b]);
            }
            var output = routed.Transform.ForOutput(pass.Routes[^1], mode);
            Assert.Equal(output.argmax(-1).data<long>().ToArray(), pass.OutputHead);
        }
        Assert.Equal(routed.Blocks, routed.Transform.Permutations.Count);
        Assert.Equal(RoutePermutations.For(3, 4), routed.Transform.Permutations[3]);
    }

    [Fact]
    public void WithoutTheDensePathAndWithZeroHeadsEveryScoreIsZeroSoTheFirstOptionWins()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = 0, TypedOutputs = true, TypedRoutes = true });
        foreach (var branch in Enum.GetValues<ChannelBranch>())
        {
            var (scores, _) = routed.ChoiceScores(branch, Items);
            Assert.Equal(new long[] { Items.Length, 4 }, scores.shape);
            Assert.Equal(0f, scores.abs().max().item<float>());
            Assert.All(scores.argmax(-1).data<long>().ToArray(), k => Assert.Equal(0, k));
        }
    }

    [Fact]
    public void TheDensePathRanksOptionsByEmbeddingSimilarityAndScalesWithBaseChoiceScale()
    {
        using var scope = NewDisposeScope();
        var carrier = TinyCarrier();
        var dense = new TextChoiceAdapter(carrier).DenseChoiceScores(Items);
        Assert.Equal(new long[] { Items.Length, 4 }, dense.shape);
        Assert.True(dense.exp().sum(-1).sub(1).abs().max().item<float>() < 1e-5, "log-probabilities over the options");
        var routed = new RoutedCarrier(carrier, new RoutedCarrierOptions { BlockSize = 2, BaseChoiceScale = 0.5 }, seed: 5);
        var (scores, _) = routed.ChoiceScores(ChannelBranch.Task, Items);
        Assert.True((scores - dense * 0.5).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void BlockParametersPartitionEveryTrainableTensorAndTheHeadsGoWithTheLastBlock()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, TypedRoutes = true, TypedOutputs = true });
        var perBlock = Enumerable.Range(0, routed.Blocks).Select(b => routed.BlockParameters(b)).ToArray();
        var all = perBlock.SelectMany(b => b.Select(p => p.Parameter.Handle)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        var expected = routed.parameters().Select(p => p.Handle)
            .Concat(Enumerable.Range(0, routed.Carrier.LayerCount).SelectMany(l => routed.Carrier.LayerParameters(l).Select(p => p.Parameter.Handle))).ToHashSet();
        Assert.Equal(expected, all.ToHashSet());
        Assert.Contains(perBlock[^1], p => p.Name.StartsWith("heads.", StringComparison.Ordinal));
        Assert.DoesNotContain(perBlock[0], p => p.Name.StartsWith("heads.", StringComparison.Ordinal));
        Assert.All(routed.BlockParameters(0, policyOnly: true), p => Assert.DoesNotContain("layers.", p.Name));
        Assert.Equal(3 * 2 * 2 + 4 * 2 * 2, routed.PolicyParameters(0).Count); // 3 typed sets × (reader, carry) × (W, b) + 4 experts × (down, up) × (W, b)
    }

    [Fact]
    public void HardRoutingGivesGradientToTheSelectedExpertOnly()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = 0 });
        var pass = routed.Forward(ChannelBranch.Task, new[] { Items[0] });
        pass.Summary.sum().backward();
        long chosen = pass.Experts[1][0];
        var ups = routed.PolicyParameters(1).Where(p => p.Name.StartsWith("policy_ups.", StringComparison.Ordinal) && p.Name.EndsWith(".weight", StringComparison.Ordinal)).ToArray();
        for (int e = 0; e < ups.Length; e++)
        {
            double norm = ups[e].Parameter.grad is { } g ? g.abs().sum().item<float>() : 0;
            if (e == chosen) Assert.True(norm > 0, $"expert {e} was selected but got no gradient");
            else Assert.Equal(0, norm);
        }
    }

    [Fact]
    public void InitialisationFollowsTheSpec()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2 });
        var named = routed.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.True(named["carries.0.weight"].eq(eye(4) * 0.5).all().item<bool>());
        Assert.Equal(0f, named["heads.0.weight"].abs().max().item<float>());
        Assert.Equal(0f, named["readers.0.bias"].abs().max().item<float>());
        double readerStd = named["readers.0.weight"].std().item<float>();
        Assert.InRange(readerStd, 0.5 * 0.02 / 4, 1.5 * 0.02 / 4); // N(0,1)·0.02/√16
        Assert.Throws<ArgumentException>(() => new RoutedCarrierOptions { Policies = 1 }.Validate());
        Assert.Throws<ArgumentException>(() => routed.ChoiceScores(ChannelBranch.Task, new[] { new ChoiceItem("q", new[] { "a", "b" }, 0) }));
    }

    [Fact]
    public void WithSharedRoutesOnePassGivesEveryBranchsScores()
    {
        using var scope = NewDisposeScope();
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 2, OutputExpertScale = 2, BaseChoiceScale = 0.5, TypedOutputs = true });
        using (no_grad())
            foreach (var (name, p) in routed.named_parameters().Where(p => p.name.StartsWith("heads.", StringComparison.Ordinal)))
                p.normal_(0, 0.5, generator: new Generator(7));
        foreach (var mode in new[] { RouteMode.Normal, RouteMode.Scramble })
        {
            var shared = routed.ChoiceScoresOfEveryBranch(Items, mode);
            foreach (var branch in Enum.GetValues<ChannelBranch>())
            {
                var own = routed.ChoiceScores(branch, Items, mode).Scores;
                Assert.True((own - shared[(int)branch]).abs().max().item<float>() < 1e-5, $"{branch}, {mode}");
            }
        }
        Assert.Throws<InvalidOperationException>(() => Routed(new RoutedCarrierOptions { BlockSize = 2, TypedRoutes = true }).ChoiceScoresOfEveryBranch(Items));
    }

    [Fact]
    public void ModesThatShareBlockRoutesAreScoredFromOnePassExactly()
    {
        using var scope = NewDisposeScope();
        // One block of 4 layers: the output reads π_0 = [2, 0, 3, 1], which moves every policy, so output-only scrambling
        // changes the selected head for every item.
        var routed = Routed(new RoutedCarrierOptions { BlockSize = 4, OutputExpertScale = 2, BaseChoiceScale = 0.5, TypedRoutes = true, TypedOutputs = true });
        var generator = new Generator(11); // one stream: every head gets its own weights
        using (no_grad())
            foreach (var (name, p) in routed.named_parameters().Where(p => p.name.StartsWith("heads.", StringComparison.Ordinal) || p.name.StartsWith("readers.", StringComparison.Ordinal)))
                p.normal_(0, 0.5, generator: generator);
        foreach (var modes in new[] { new[] { RouteMode.Normal, RouteMode.ScrambleOutputOnly }, new[] { RouteMode.Scramble, RouteMode.ScrambleBlocksOnly } })
        {
            var (shared, _) = routed.ChoiceScoresFromOnePass(ChannelBranch.Safety, Items, modes, new[] { ChannelBranch.Safety });
            foreach (var mode in modes)
            {
                var own = routed.ChoiceScores(ChannelBranch.Safety, Items, mode).Scores;
                Assert.True((own - shared[(ChannelBranch.Safety, mode)]).abs().max().item<float>() == 0, $"{mode}: one pass must equal separate passes exactly");
            }
        }
        // The output-only scramble must really differ from normal here, or the check above proves nothing.
        var (both, _) = routed.ChoiceScoresFromOnePass(ChannelBranch.Safety, Items, new[] { RouteMode.Normal, RouteMode.ScrambleOutputOnly }, new[] { ChannelBranch.Safety });
        Assert.True((both[(ChannelBranch.Safety, RouteMode.Normal)] - both[(ChannelBranch.Safety, RouteMode.ScrambleOutputOnly)]).abs().max().item<float>() > 0);
        var e = Assert.Throws<ArgumentException>(() => routed.ChoiceScoresFromOnePass(ChannelBranch.Task, Items, new[] { RouteMode.Normal, RouteMode.Zero }, new[] { ChannelBranch.Task }));
        Assert.Contains("do not share their block routes", e.Message);
    }
}
