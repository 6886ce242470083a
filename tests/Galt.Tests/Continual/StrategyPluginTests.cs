using Galt.Continual;
using Galt.Continual.Plugins;
using Galt.Continual.Strategies;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

/// <summary>Strategies compose with plugins instead of subclasses: replay as a plugin beside plain Adam and beside GALT.</summary>
public class StrategyPluginTests
{
    private sealed class Model : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear hidden = nn.Linear(8, 32);
        private readonly TorchSharp.Modules.Linear output = nn.Linear(32, 6);

        public Model() : base(nameof(Model)) => RegisterComponents();

        public override Tensor forward(Tensor x) => output.call(nn.functional.relu(hidden.call(x)));
    }

    /// <summary>Three tasks of two Gaussian classes each (the ContinualLoop example's data, smaller).</summary>
    private static TaskStream Stream()
    {
        var centres = randn(new long[] { 6, 8 }, generator: new Generator(7)) * 2.5;
        ContinualTask Task(int t)
        {
            var g = new Generator((ulong)(100 + t));
            (Tensor, Tensor) Sample(int perClass)
            {
                var labels = new long[] { 2 * t, 2 * t + 1 };
                return (cat(labels.Select(l => centres[l] + randn(new long[] { perClass, 8 }, generator: g)).ToArray()),
                        cat(labels.Select(l => full(perClass, l, ScalarType.Int64)).ToArray()));
            }
            var (trainX, trainY) = Sample(120);
            var (testX, testY) = Sample(60);
            return new ContinualTask(t, $"classes {2 * t}, {2 * t + 1}", trainX, trainY, testX, testY);
        }
        return TaskStream.FromTasks("clusters", "three tasks of two clusters", Enumerable.Range(0, 3).Select(Task).ToArray());
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
