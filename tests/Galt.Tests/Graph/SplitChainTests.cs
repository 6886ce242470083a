using Galt.Graph;
using Galt.Multipliers;
using Galt.Optim;
using Galt.Tests.Data;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Tests.Graph;

public class SplitChainTests
{
    private static readonly GaltOptions BlockOptions = new() { LearningRate = 1e-3, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new PiDualRule(), Contract = null };

    private static Block[] Blocks(params int[] widths)
    {
        random.manual_seed(3);
        return Enumerable.Range(0, widths.Length - 1).Select(v =>
        {
            var linear = nn.Linear(widths[v], widths[v + 1]);
            nn.Module<Tensor, Tensor> f = v + 2 < widths.Length ? nn.Sequential(("linear", linear), ("relu", nn.ReLU())) : linear;
            return new Block($"block{v}", f, BlockOptions);
        }).ToArray();
    }

    private static (Tensor X, Tensor Y, Tensor TestX, Tensor TestY) Data()
    {
        var (pixels, labels) = SyntheticMnist.Digits(600, seed: 1);
        var (testPixels, testLabels) = SyntheticMnist.Digits(200, seed: 2);
        var x = tensor(pixels.Select(b => b / 255f).ToArray(), new long[] { 600, 784 });
        var tx = tensor(testPixels.Select(b => b / 255f).ToArray(), new long[] { 200, 784 });
        return (x, tensor(labels.Select(l => (long)l).ToArray()), tx, tensor(testLabels.Select(l => (long)l).ToArray()));
    }

    private static double Train(SplitChain chain, int epochs, Tensor testX, Tensor testY, int n = 600)
    {
        var rng = new Random(5);
        for (int e = 0; e < epochs; e++)
            foreach (var batch in SupervisedTrainer.Batches(n, 64, rng)) chain.TrainBatch(batch);
        using var noGrad = no_grad();
        return chain.Forward(testX).argmax(1).eq(testY).to(ScalarType.Float32).mean().item<float>();
    }

    [Fact]
    public void OneBlockWithoutEdgesIsGaltOptimizer()
    {
        using var scope = NewDisposeScope();
        var (x, y, _, _) = Data();
        var blocks = Blocks(784, 10);
        using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 1));
        random.manual_seed(3);
        var reference = nn.Linear(784, 10);
        using var galt = new GaltOptimizer(reference.parameters(), BlockOptions);
        var rng = new Random(9);
        foreach (var batch in SupervisedTrainer.Batches(600, 64, rng).Take(12))
        {
            chain.TrainBatch(batch);
            var idx = tensor(batch);
            galt.Step(() => nn.functional.cross_entropy(reference.call(x.index_select(0, idx)), y.index_select(0, idx)));
        }
        foreach (var (a, b) in blocks[0].Function.parameters().Zip(reference.parameters()))
            Assert.True((a - b).abs().max().item<float>() <= 1e-6);
        foreach (var b in blocks) b.Dispose();
    }

    [Theory]
    [Trait("Category", TrainedMetric.Category)]
    [InlineData(Schedule.Jacobi)]
    [InlineData(Schedule.GaussSeidel)]
    public void FourBlockChainLearnsWithoutCrossBlockBackprop(Schedule schedule)
    {
        using var scope = NewDisposeScope();
        var (x, y, testX, testY) = Data();
        var blocks = Blocks(784, 64, 32, 16, 10);
        using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(Rho: 5, SplitStep: 0.1, InnerIterations: 3, Schedule: schedule));
        double accuracy = Train(chain, epochs: 12, testX, testY);
        TrainedMetric.AtLeast($"{schedule}: test accuracy on separable synthetic digits", accuracy, 0.9);
        TrainedMetric.AtMost($"{schedule}: largest forward residual", chain.ForwardResiduals().Max(), 0.2);
        foreach (var b in blocks) b.Dispose();
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void ThreadedJacobiMatchesSequentialJacobi()
    {
        using var scope = NewDisposeScope();
        var (x, y, testX, testY) = Data();
        float[] Run(IBlockExecutor executor)
        {
            var blocks = Blocks(784, 32, 16, 10);
            using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 2), executor);
            Train(chain, epochs: 1, testX, testY);
            var result = blocks.SelectMany(b => b.Function.parameters().SelectMany(p => p.detach().data<float>().ToArray())).ToArray();
            foreach (var b in blocks) b.Dispose();
            return result;
        }
        var sequential = Run(new SequentialExecutor());
        var threaded = Run(new ThreadedExecutor(2));
        double maxDiff = sequential.Zip(threaded).Max(p => Math.Abs(p.First - p.Second));
        TrainedMetric.AtMost("max |threaded − sequential Jacobi| over the parameters", maxDiff, 1e-4);
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void PenaltiesStayFixedByDefaultAndGrowWhenAsked()
    {
        using var scope = NewDisposeScope();
        var (x, y, testX, testY) = Data();
        var fixedBlocks = Blocks(784, 32, 16, 10);
        using (var chain = new SplitChain(fixedBlocks, x, y, new SplitChainOptions(Rho: 2, InnerIterations: 1)))
        {
            Train(chain, epochs: 1, testX, testY);
            Assert.All(chain.Penalties, rho => Assert.Equal(2, rho));
        }
        var growingBlocks = Blocks(784, 32, 16, 10);
        using (var chain = new SplitChain(growingBlocks, x, y, new SplitChainOptions(Rho: 2, InnerIterations: 1, RhoGrowth: 1.5, RhoMax: 10, Tau: 0.5)))
        {
            Train(chain, epochs: 1, testX, testY);
            TrainedMetric.AtLeast("largest ρ after growth (one growth step: 2 × 1.5 = 3)", chain.Penalties.Max(), 3);
            Assert.All(chain.Penalties, rho => Assert.InRange(rho, 2, 10));
        }
        foreach (var b in fixedBlocks.Concat(growingBlocks)) b.Dispose();
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void TheTaskLossIsAParameter()
    {
        using var scope = NewDisposeScope();
        // Regression: targets are a fixed linear map of the inputs; the chain's last block fits them by squared error.
        var g = new Generator(31);
        var x = randn(new long[] { 256, 6 }, generator: g);
        var map = randn(new long[] { 6, 2 }, generator: g);
        var y = x.matmul(map);
        var blocks = Blocks(6, 16, 2);
        using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 2), taskLoss: TaskLosses.SquaredError);
        double Error() { using var noGrad = no_grad(); return nn.functional.mse_loss(chain.Forward(x), y).item<float>(); }
        double before = Error();
        var rng = new Random(4);
        for (int e = 0; e < 15; e++)
            foreach (var batch in SupervisedTrainer.Batches(256, 32, rng)) chain.TrainBatch(batch);
        TrainedMetric.AtMost("squared error after / before, chain trained on its squared-error loss", Error() / before, 0.5);
    }

    [Fact]
    public void EveryWorkerRunsItsStepsWithTheExecutorsLibtorchThreadCountAndGetsItsOwnBack()
    {
        // libtorch's (OpenMP) thread count is per thread: the executor must set it on the thread that runs the step.
        int before = get_num_threads();
        var seen = new ThreadedExecutor(2, threadsPerWorker: 1).Run(Enumerable.Range(0, 8).ToArray(), (_, _) => get_num_threads());
        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void TheAdaptiveExecutorTriesBothModesPerPhaseThenKeepsOne()
    {
        var executor = new AdaptiveExecutor(2, trials: 2);
        var messages = Enumerable.Range(0, 5).ToArray();
        for (int call = 0; call < 4; call++)
        {
            Assert.Equal(messages.Select(m => m * m), executor.Run(messages, (_, m) => m * m));
            string? choice = executor.Choices.Values.Single();
            if (call < 3) Assert.Null(choice);
            else Assert.Contains(choice, new[] { "blocks", "intra-op" });
        }
        // Another phase (other message types or count) is timed on its own.
        executor.Run(new[] { 1.0, 2.0 }, (_, m) => m.ToString());
        Assert.Equal(2, executor.Choices.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveExecutor(trials: 0));
    }
}
