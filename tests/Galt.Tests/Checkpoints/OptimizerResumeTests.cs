using Galt.Checkpoints;
using Galt.Constraints;
using Galt.Graph;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Checkpoints;

/// <summary>
/// The constrained optimizers and the split-variable chain, checkpointed after step k and restored into fresh objects,
/// continue bit for bit as the uninterrupted run: parameters, Adam state, multipliers, anchors, split variables.
/// </summary>
public class OptimizerResumeTests
{
    private const int Steps = 12;

    private static nn.Module<Tensor, Tensor> Model()
    {
        random.manual_seed(7);
        return nn.Sequential(("l1", nn.Linear(5, 12)), ("tanh", nn.Tanh()), ("l2", nn.Linear(12, 4)));
    }

    private static (Tensor X, Tensor Y) Batch(int step)
    {
        var g = new Generator((ulong)(100 + step));
        return (randn(new long[] { 16, 5 }, generator: g), randint(0, 4, new long[] { 16 }, generator: g));
    }

    private sealed class Run : IDisposable
    {
        public Run(bool hessian)
        {
            Model = Galt.Tests.Checkpoints.OptimizerResumeTests.Model();
            var g = new Generator(3);
            Retain = new KlRetentionConstraint("retain", Model, randn(new long[] { 20, 5 }, generator: g), margin: 0.001);
            Keep = new KlRetentionConstraint("keep", Model, randn(new long[] { 20, 5 }, generator: g), temperature: 2, margin: 0.002);
            Optimizer = hessian
                ? new AlHessianOptimizer(Model.named_parameters(), new AlHessianOptions { LearningRate = 0.05 })
                : new GaltOptimizer(Model.named_parameters(), new GaltOptions { LearningRate = 0.05, OuterStepFrequency = 5, RhoAnchor = 0.1 });
            Optimizer.AddConstraint(Retain);
            Optimizer.AddConstraint(Keep);
            State = new CheckpointParts().Add("model", new ModuleCheckpoint(Model)).Add("optimizer", Optimizer)
                .Add("retain", Retain).Add("keep", Keep).Add("torch_random", new TorchRandomState());
        }

        public nn.Module<Tensor, Tensor> Model { get; }
        public KlRetentionConstraint Retain { get; }
        public KlRetentionConstraint Keep { get; }
        public ConstrainedOptimizer Optimizer { get; }
        public CheckpointParts State { get; }

        public void Train(int from, int to)
        {
            for (int step = from; step < to; step++)
            {
                var (x, y) = Batch(step);
                Optimizer.Step(() => nn.functional.cross_entropy(Model.call(x), y));
            }
        }

        public void Dispose()
        {
            Optimizer.Dispose(); Retain.Dispose(); Keep.Dispose(); Model.Dispose();
        }
    }

    private static void AssertSameState(Run expected, Run actual, string what)
    {
        foreach (var (a, b) in expected.Model.parameters().Zip(actual.Model.parameters()))
            Assert.True(a.bytes.SequenceEqual(b.bytes), $"{what}: a parameter differs");
        for (int p = 0; p < expected.Optimizer.Parameters.Count; p++)
        {
            Assert.Equal(expected.Optimizer.Metric.StepCount(p), actual.Optimizer.Metric.StepCount(p));
            Assert.True(expected.Optimizer.Metric.SecondMoment(p)!.bytes.SequenceEqual(actual.Optimizer.Metric.SecondMoment(p)!.bytes), $"{what}: Adam v differs");
        }
        Assert.Equal(expected.Optimizer.Constraints, actual.Optimizer.Constraints, new StatusComparer());
        Assert.Equal(expected.Optimizer.StepCount, actual.Optimizer.StepCount);
    }

    private sealed class StatusComparer : IEqualityComparer<ConstraintStatus>
    {
        public bool Equals(ConstraintStatus? a, ConstraintStatus? b) => a is not null && b is not null
            && a with { RecentViolations = Array.Empty<double>(), Rule = Galt.Multipliers.NoRuleState.Instance } == b with { RecentViolations = Array.Empty<double>(), Rule = Galt.Multipliers.NoRuleState.Instance }
            && a.RecentViolations.SequenceEqual(b.RecentViolations) && Bytes(a.Rule).SequenceEqual(Bytes(b.Rule));

        private static byte[] Bytes(Galt.Multipliers.IMultiplierRuleState state)
        {
            var writer = new Galt.Checkpoints.CheckpointWriter();
            state.Save(writer);
            return writer.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => System.Text.Encoding.UTF8.GetBytes(e.Key).Concat(e.Value)).ToArray();
        }

        public int GetHashCode(ConstraintStatus s) => s.Name.GetHashCode();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoredOptimizerContinuesBitForBit(bool hessian)
    {
        using var uninterrupted = new Run(hessian);
        uninterrupted.Train(0, Steps);
        // The constraints act: a multiplier is positive, so restoring multipliers is exercised.
        Assert.Contains(uninterrupted.Optimizer.Constraints, c => c.Lambda > 0);
        // k = 3 inside the first K_in = 5 window, 5 right after an outer step, 8 inside the second window.
        foreach (int k in new[] { 3, 5, 8 })
        {
            string path = Path.Combine(TempDir.Create(), "opt.galt");
            using (var first = new Run(hessian))
            {
                first.Train(0, k);
                Checkpoint.Save(path, first.State);
            }
            using var resumed = new Run(hessian);
            Checkpoint.Load(path, resumed.State);
            resumed.Train(k, Steps);
            AssertSameState(uninterrupted, resumed, $"{(hessian ? "AlHessian" : "Galt")}Optimizer restored after step {k}");
        }
    }

    [Fact]
    public void ACheckpointWithOtherConstraintsIsRefusedAndChangesNothing()
    {
        string path = Path.Combine(TempDir.Create(), "opt.galt");
        using (var run = new Run(hessian: false))
        {
            run.Train(0, 4);
            Checkpoint.Save(path, run.State);
        }
        using var model = Model();
        using var other = new GaltOptimizer(model.named_parameters(), new GaltOptions { LearningRate = 0.05 });
        using var c = new KlRetentionConstraint("something_else", model, randn(4, 5));
        other.AddConstraint(c);
        var before = model.parameters().Select(p => p.bytes.ToArray()).ToArray();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new CheckpointParts().Add("optimizer", other)));
        Assert.Contains("opt.galt", e.Message);
        Assert.Contains("something_else", e.Message);
        Assert.Contains("retain", e.Message);
        Assert.Equal(before, model.parameters().Select(p => p.bytes.ToArray()).ToArray());
        Assert.Equal(0, other.StepCount);
    }

    [Fact]
    public void AModelOfAnotherShapeNamesTheFirstMismatchedTensorAndIsLeftAsItWas()
    {
        string path = Path.Combine(TempDir.Create(), "model.galt");
        using (var model = Model()) Checkpoint.Save(path, new ModuleCheckpoint(model));
        using var wider = nn.Sequential(("l1", nn.Linear(5, 12)), ("tanh", nn.Tanh()), ("l2", nn.Linear(12, 5)));
        var before = wider.parameters().Select(p => p.bytes.ToArray()).ToArray();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new ModuleCheckpoint(wider)));
        Assert.Contains("model.galt", e.Message);
        Assert.Contains("l2.weight", e.Message);
        Assert.Contains("[4, 12]", e.Message);
        Assert.Contains("[5, 12]", e.Message);
        Assert.Equal(before, wider.parameters().Select(p => p.bytes.ToArray()).ToArray());
    }

    private static Block[] Blocks()
    {
        random.manual_seed(3);
        var options = new GaltOptions { LearningRate = 1e-2, WeightDecay = 0, RhoAnchor = 0.05, OuterStepFrequency = 3 };
        return new[]
        {
            new Block("block0", nn.Sequential(("linear", nn.Linear(5, 8)), ("relu", nn.ReLU())), options),
            new Block("block1", nn.Sequential(("linear", nn.Linear(8, 8)), ("relu", nn.ReLU())), options),
            new Block("block2", nn.Linear(8, 4), options),
        };
    }

    [Fact]
    public void ARestoredSplitChainContinuesBitForBit()
    {
        var g = new Generator(8);
        var x = randn(new long[] { 96, 5 }, generator: g);
        var y = randint(0, 4, new long[] { 96 }, generator: g);
        var batches = Enumerable.Range(0, 10).Select(i => Enumerable.Range(0, 96).Where(j => (j + i) % 3 == 0).Select(j => (long)j).ToArray()).ToArray();
        var options = new SplitChainOptions(Rho: 2, SplitStep: 0.1, InnerIterations: 2, RhoGrowth: 1.5);

        var expectedBlocks = Blocks();
        using var expected = new SplitChain(expectedBlocks, x, y, options);
        foreach (var b in batches) expected.TrainBatch(b);

        const int k = 4;
        string path = Path.Combine(TempDir.Create(), "chain.galt");
        var firstBlocks = Blocks();
        using (var first = new SplitChain(firstBlocks, x, y, options))
        {
            foreach (var b in batches.Take(k)) first.TrainBatch(b);
            Checkpoint.Save(path, first);
        }
        var resumedBlocks = Blocks();
        using var resumed = new SplitChain(resumedBlocks, x, y, options);
        Checkpoint.Load(path, resumed);
        foreach (var b in batches.Skip(k)) resumed.TrainBatch(b);

        foreach (var (a, b) in expectedBlocks.SelectMany(bl => bl.Function.parameters()).Zip(resumedBlocks.SelectMany(bl => bl.Function.parameters())))
            Assert.True(a.bytes.SequenceEqual(b.bytes), "a block parameter differs after resuming the chain");
        Assert.Equal(expected.ForwardResiduals(), resumed.ForwardResiduals());
        Assert.Equal(expected.Penalties, resumed.Penalties);
        foreach (var bl in expectedBlocks.Concat(firstBlocks).Concat(resumedBlocks)) bl.Dispose();
    }
}
