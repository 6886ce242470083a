using Galt.Constraints;
using Galt.Graph;
using Galt.Models;
using Galt.Multipliers;
using Galt.Optim;
using Galt.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// Long runs must not grow in memory (DESIGN.md, TorchSharp conventions). These tests count tensors
/// instead of reading the resident set: TorchSharp's per-thread statistics count every tensor made on the test thread
/// and every one disposed on it (a tensor left to its finalizer is disposed on the finalizer thread, so it stays
/// counted), which makes the count exact and independent of when the garbage collector runs. After warm-up (state made
/// at the first steps) a step must leave the count where it found it. <c>galt bench memory</c> measures the resident set.
/// </summary>
public class StepTensorLifetimeTests
{
    /// <summary>Tensors made on this thread minus those disposed on it.</summary>
    private static long Undisposed => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void GaltOptimizerStepsWithBatchedConstraintsDisposeEveryTensorTheyMake()
    {
        random.manual_seed(7);
        using var model = new Mlp(6, 16, 16, 4);
        var g = new Generator(8);
        using var x = randn(new long[] { 48, 6 }, generator: g);
        using var y = randint(0, 4, new long[] { 48 }, generator: g);
        var constraints = Enumerable.Range(0, 3).Select(e =>
        {
            using var anchors = randn(new long[] { 8, 6 }, generator: g);
            return new KlRetentionConstraint($"retain_{e}", model, anchors, margin: 0.001);
        }).ToArray();
        Assert.Null(Galt.Jacobians.BatchedJacobians.Unsupported(model)); // the default path is the batched one
        using var optimizer = new GaltOptimizer(model.named_parameters(), new GaltOptions { LearningRate = 1e-2 });
        foreach (var c in constraints) optimizer.AddConstraint(c);
        // No dispose scope of the caller's: the step must clean up after itself (the closure's tensors included).
        void Steps(int n) { for (int s = 0; s < n; s++) optimizer.Step(() => nn.functional.cross_entropy(model.call(x), y)); }

        Steps(20);
        long afterWarmup = Undisposed;
        Steps(200);

        Assert.Equal(afterWarmup, Undisposed);
        // The constraints bound (λ > 0: their forces entered the low-rank solve) and the step contract corrected or
        // shortened some steps (its measurements, copies and re-solves are in the count too).
        Assert.True(optimizer.Constraints.Any(c => c.Lambda > 0), "no constraint bound: the test would not exercise the constrained step");
        Assert.True(optimizer.Constraints.Any(c => c.ContractCorrections > 0), "the contract never corrected a step: the test would not exercise it");
        foreach (var c in constraints) c.Dispose();
    }

    [Fact]
    public void SplitChainMinibatchesWithAnExternalConstraintDisposeEveryTensorTheyMake()
    {
        random.manual_seed(9);
        using var network = new BlockChain(new nn.Module<Tensor, Tensor>[] { new DenseBlock(6, 12, relu: true), new DenseBlock(12, 12, relu: true), new DenseBlock(12, 4, relu: false) });
        var g = new Generator(10);
        using var x = randn(new long[] { 64, 6 }, generator: g);
        using var y = randint(0, 4, new long[] { 64 }, generator: g);
        using var forbidden = zeros(8, 4);
        forbidden[TensorIndex.Colon, 3] = 1;
        using var probes = randn(new long[] { 8, 6 }, generator: g);
        using var safety = new ForbiddenMassConstraint("forbid_3", network, probes, forbidden, margin: 0.5);
        var blocks = network.Blocks.Select((f, v) => new Block($"block{v}", f, new GaltOptions { LearningRate = 1e-3, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new PiDualRule(), Contract = null })).ToArray();
        // The sequential executor keeps every step on this thread, where the count is kept.
        using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 1), new SequentialExecutor(), new Constraint[] { safety });
        var order = new Random(11);
        void Minibatches(int n) { foreach (var batch in Enumerable.Range(0, n).SelectMany(_ => SupervisedTrainer.Batches(64, 16, order)).Take(n)) chain.TrainBatch(batch); }

        Minibatches(4);
        long afterWarmup = Undisposed;
        Minibatches(30);

        Assert.Equal(afterWarmup, Undisposed);
        foreach (var b in blocks) b.Dispose();
    }
}
