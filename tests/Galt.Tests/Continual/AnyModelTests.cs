using Galt.Continual;
using Galt.Continual.Strategies;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

/// <summary>The continual harness takes any model and any stream: a GALT strategy on a small convolutional model.</summary>
public class AnyModelTests
{
    /// <summary>A small convolutional network, also as a chain of one hidden layer (conv, ReLU, flatten) and a head.</summary>
    private sealed class SmallConv : nn.Module<Tensor, Tensor>, Galt.Models.ILayerChain
    {
        private readonly Conv2d conv;
        private readonly Linear head;

        public SmallConv() : base(nameof(SmallConv))
        {
            conv = nn.Conv2d(1, 4, 3, padding: 1);
            head = nn.Linear(4 * 8 * 8, 4);
            RegisterComponents();
        }

        public IReadOnlyList<int> StateWidths => new[] { 4 * 8 * 8 };

        public int OutputWidth => 4;

        public Tensor LayerForward(int layer, Tensor input) => nn.functional.relu(conv.call(input)).flatten(1);

        public Tensor HeadForward(Tensor lastState) => head.call(lastState);

        public override Tensor forward(Tensor x) => HeadForward(LayerForward(0, x));
    }

    /// <summary>Task t: classes 2t and 2t+1, each a bright square in its own quadrant on noise.</summary>
    private static TaskStream Stream()
    {
        var g = new Generator(21);
        ContinualTask Task(int t, int perClass)
        {
            using var scope = NewDisposeScope();
            Tensor Images(int n, int label)
            {
                var x = randn(new long[] { n, 1, 8, 8 }, generator: g) * 0.3;
                int r = label / 2 * 4, c = label % 2 * 4;
                x[TensorIndex.Colon, 0, TensorIndex.Slice(r, r + 4), TensorIndex.Slice(c, c + 4)] += 1.5;
                return x;
            }
            var labels = new[] { 2 * t, 2 * t + 1 };
            var trainX = cat(labels.Select(l => Images(perClass, l)).ToArray());
            var trainY = cat(labels.Select(l => full(perClass, l, ScalarType.Int64)).ToArray());
            var testX = cat(labels.Select(l => Images(perClass / 2, l)).ToArray());
            var testY = cat(labels.Select(l => full(perClass / 2, l, ScalarType.Int64)).ToArray());
            return new ContinualTask(t, $"classes {2 * t}, {2 * t + 1}", trainX.MoveToOuterDisposeScope(), trainY.MoveToOuterDisposeScope(),
                testX.MoveToOuterDisposeScope(), testY.MoveToOuterDisposeScope());
        }
        return TaskStream.FromTasks("quadrants", "two tasks of two quadrant classes", new[] { Task(0, 240), Task(1, 240) });
    }

    [Fact]
    public void GaltTrainsAConvolutionalModelOnACustomStreamAndHoldsItsRetentionConstraint()
    {
        using var stream = Stream();
        using var strategy = new GaltStrategy();
        random.manual_seed(5);
        var result = ContinualTrainer.Run(stream, () => new SmallConv(), strategy, new ContinualSettings(EpochsPerTask: 2, BatchSize: 32, Seed: 3));
        Assert.Equal(2, result.Accuracy.Length);
        // The first task is learned, and the retention constraint registered after it holds at the end.
        Assert.True(result.Accuracy[0][0] > 0.9, $"task 0 accuracy after task 0: {result.Accuracy[0][0]}");
        var certificate = result.Constraints!.Certificate!;
        var row = Assert.Single(certificate.Rows);
        Assert.Equal("retain_task_0", row.Name);
        Assert.True(row.Feasible, $"retain_task_0: C = {row.Value}");
        Assert.False(double.IsNaN(row.HeldOutValue));
        Assert.Equal(2 * 15 * 2, result.GlobalBackprops); // 480 images / 32 per batch × 2 epochs × 2 tasks
        // The step contract measured every constrained step (the 30 of task 1) at least once.
        Assert.InRange(result.Constraints.Contract.Evaluations, 30, 30 * 14);
    }

    [Fact]
    public void TheLowBpHybridSaysWhichModelItNeeds()
    {
        using var stream = Stream();
        using var strategy = new GaltLowBpStrategy();
        var e = Assert.Throws<NotSupportedException>(() =>
            ContinualTrainer.Run(stream, () => nn.Sequential(("flatten", nn.Flatten()), ("head", nn.Linear(64, 4))), strategy, new ContinualSettings(BatchSize: 32)));
        Assert.Contains("ILayerChain", e.Message);
    }

    [Fact]
    public void TheLowBpHybridTrainsAnyLayerChainWithGlobalAndLocalSteps()
    {
        using var stream = Stream();
        using var strategy = new GaltLowBpStrategy { Schedule = new RefreshSchedule(RefreshPeriod: 3, Trigger: 10) };
        random.manual_seed(5);
        var result = ContinualTrainer.Run(stream, () => new SmallConv(), strategy, new ContinualSettings(EpochsPerTask: 2, BatchSize: 32, Seed: 3));
        Assert.True(result.Accuracy[0][0] > 0.9, $"task 0 accuracy after task 0: {result.Accuracy[0][0]}");
        Assert.True(result.GlobalBackprops > 0 && result.LocalBackprops > 0, $"global {result.GlobalBackprops}, local {result.LocalBackprops}");
        Assert.Equal(2 * 15 * 2, result.GlobalBackprops + result.LocalBackprops);
        var row = Assert.Single(result.Constraints!.Certificate!.Rows);
        Assert.True(row.Feasible, $"retain_task_0: C = {row.Value}");
    }

    [Fact]
    public void AStreamsTasksMustBeIndexedInOrder()
    {
        using var scope = NewDisposeScope();
        var task = new ContinualTask(1, "misnumbered", zeros(2, 3), zeros(2, ScalarType.Int64), zeros(2, 3), zeros(2, ScalarType.Int64));
        var e = Assert.Throws<ArgumentException>(() => TaskStream.FromTasks("s", "d", new[] { task }));
        Assert.Contains("index 1", e.Message);
    }
}
