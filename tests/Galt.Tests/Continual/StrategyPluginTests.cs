using Galt.Continual;
using Galt.Continual.Plugins;
using Galt.Continual.Strategies;
using Galt.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

/// <summary>Strategies compose with plugins instead of subclasses: replay as a plugin beside plain Adam and beside GALT.</summary>
public class StrategyPluginTests
{
    private sealed class Model : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear hidden = nn.Linear(784, 32);
        private readonly TorchSharp.Modules.Linear output = nn.Linear(32, 10);

        public Model() : base(nameof(Model)) => RegisterComponents();

        public override Tensor forward(Tensor x) => output.call(nn.functional.relu(hidden.call(x)));
    }

    /// <summary>Synthetic digits split into three tasks of two digits each (0–1, 2–3, 4–5).</summary>
    private static TaskStream Stream()
    {
        (Tensor X, Tensor Y) Digits(int count, int seed)
        {
            var (pixels, labels) = SyntheticMnist.Digits(count, seed);
            return (tensor(pixels.Select(b => b / 255f).ToArray(), new long[] { count, 784 }), tensor(labels.Select(l => (long)l).ToArray()));
        }
        var (trainX, trainY) = Digits(1200, seed: 1);
        var (testX, testY) = Digits(600, seed: 2);
        ContinualTask Task(int t)
        {
            using Scalar low = (2 * t).ToScalar(), high = (2 * t + 2).ToScalar();
            var train = trainY.ge(low).logical_and(trainY.lt(high));
            var test = testY.ge(low).logical_and(testY.lt(high));
            return new ContinualTask(t, $"digits {2 * t}-{2 * t + 1}", trainX[train], trainY[train], testX[test], testY[test]);
        }
        return TaskStream.FromTasks("synthetic-digits", "three tasks of two synthetic digits", Enumerable.Range(0, 3).Select(Task).ToArray());
    }

    private static StrategyResult Run(Strategy strategy)
    {
        using var stream = Stream();
        random.manual_seed(0);
        return ContinualTrainer.Run(stream, () => new Model(), strategy, new ContinualSettings(EpochsPerTask: 2, BatchSize: 32, Seed: 0));
    }

    [Fact]
    public void PlainAdamWithTheReplayPluginIsTheReplayStrategyStepForStep()
    {
        using var composed = new NaiveStrategy { Plugins = new[] { new ReplayPlugin() } };
        using var replay = new ReplayStrategy();
        using var naive = new NaiveStrategy();
        var a = Run(composed);
        var b = Run(replay);
        var c = Run(naive);
        Assert.Equal("naive+replay", a.Strategy);
        Assert.Equal("200 per finished task", a.Hyperparameters["replay.memory"]);
        // Bit for bit the same accuracies as the replay strategy, and not those of plain Adam (replay mattered).
        Assert.Equal(b.Accuracy.SelectMany(r => r), a.Accuracy.SelectMany(r => r));
        Assert.NotEqual(c.Accuracy.SelectMany(r => r), a.Accuracy.SelectMany(r => r));
    }

    [Fact]
    public void GaltWithTheReplayPluginHoldsItsConstraintsAndTrainsOnReplayedExamples()
    {
        using var composed = new GaltStrategy { Plugins = new[] { new ReplayPlugin() } };
        using var alone = new GaltStrategy();
        var a = Run(composed);
        var b = Run(alone);
        Assert.Equal("galt+replay", a.Strategy);
        Assert.True(a.Constraints!.Certificate!.AllFeasible, "the retention constraints end feasible");
        Assert.NotEqual(b.Accuracy.SelectMany(r => r), a.Accuracy.SelectMany(r => r));
    }
}
