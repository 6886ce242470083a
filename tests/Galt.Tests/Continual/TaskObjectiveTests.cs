using Galt.Continual;
using Galt.Continual.Strategies;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

/// <summary>
/// The harness trains for the user's objective, not a fixed cross-entropy: a regression stream (two tasks, each a
/// different linear map of its own inputs) under <see cref="TaskObjective.Regression"/> and under a loss the test
/// supplies, with the plain and the replay strategy.
/// </summary>
public class TaskObjectiveTests
{
    private sealed class Regressor : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear hidden = nn.Linear(4, 32);
        private readonly TorchSharp.Modules.Linear output = nn.Linear(32, 2);

        public Regressor() : base(nameof(Regressor)) => RegisterComponents();

        public override Tensor forward(Tensor x) => output.call(nn.functional.tanh(hidden.call(x)));
    }

    /// <summary>Task t: inputs around centre t, targets W_t x with a task-specific map (float targets, no labels).</summary>
    private static TaskStream Stream()
    {
        var g = new Generator(11);
        ContinualTask Task(int t)
        {
            using var scope = NewDisposeScope();
            var map = randn(new long[] { 4, 2 }, generator: g);
            (Tensor, Tensor) Sample(int n)
            {
                var x = randn(new long[] { n, 4 }, generator: g) * 0.5 + (2.0 * t - 1);
                return (x.MoveToOuterDisposeScope(), x.matmul(map).MoveToOuterDisposeScope());
            }
            var (trainX, trainY) = Sample(256);
            var (testX, testY) = Sample(128);
            return new ContinualTask(t, $"map {t}", trainX, trainY, testX, testY);
        }
        return TaskStream.FromTasks("maps", "two regression tasks", new[] { Task(0), Task(1) });
    }

    private static StrategyResult Run(Strategy strategy, TaskObjective objective)
    {
        using var stream = Stream();
        random.manual_seed(2);
        return ContinualTrainer.Run(stream, () => new Regressor(), strategy, new ContinualSettings(EpochsPerTask: 20, BatchSize: 32, Seed: 1) { Objective = objective });
    }

    /// <summary>−MSE of the untrained model (the same seed as every run) on task t's test set.</summary>
    private static double Untrained(int t)
    {
        using var stream = Stream();
        random.manual_seed(2);
        using var model = new Regressor();
        return TaskObjective.Regression.Score(model, stream.Tasks[t].TestX, stream.Tasks[t].TestY);
    }

    [Fact]
    public void RegressionIsTrainedAndScoredAsNegativeMeanSquaredError()
    {
        using var naive = new NaiveStrategy();
        var plain = Run(naive, TaskObjective.Regression);
        using var replayStrategy = new ReplayStrategy();
        var replay = Run(replayStrategy, TaskObjective.Regression);
        // Scores are −MSE (≤ 0); each task is learned while it is trained (its error at most half the untrained
        // model's: here −1.29 → −0.19 on task 0, −0.80 → −0.15 (plain) and −0.33 (replay, which also fits task 0) on
        // task 1), and replay keeps the first task better than plain training does.
        foreach (var r in new[] { plain, replay })
        {
            Assert.All(new[] { r.Accuracy[0][0], r.Accuracy[1][0], r.Accuracy[1][1] }, s => Assert.True(s <= 0, $"score {s}"));
            Assert.True(r.Accuracy[0][0] > Untrained(0) / 2, $"{r.Strategy}: task 0 after task 0: {r.Accuracy[0][0]}, untrained {Untrained(0)}");
            Assert.True(r.Accuracy[1][1] > Untrained(1) / 2, $"{r.Strategy}: task 1 after task 1: {r.Accuracy[1][1]}, untrained {Untrained(1)}");
        }
        Assert.True(plain.Accuracy[1][0] < plain.Accuracy[0][0] - 0.1, $"plain training forgets task 0: {plain.Accuracy[0][0]} -> {plain.Accuracy[1][0]}");
        Assert.True(replay.Accuracy[1][0] > plain.Accuracy[1][0], $"replay {replay.Accuracy[1][0]} vs plain {plain.Accuracy[1][0]} on task 0 after task 1");
    }

    [Fact]
    public void AUserSuppliedLossIsTheOneTheStrategyMinimises()
    {
        int losses = 0, scores = 0;
        var objective = new TaskObjective("l1",
            (outputs, targets) => { losses++; return nn.functional.l1_loss(outputs, targets); },
            (model, x, y) => { scores++; return TaskObjective.Regression.Score(model, x, y); });
        using var strategy = new NaiveStrategy();
        var result = Run(strategy, objective);
        Assert.Equal(2 * 20 * 8, losses);    // every minibatch of both tasks: 256 examples in batches of 32, 20 epochs
        Assert.Equal(3, scores);             // R[0][0], R[1][0], R[1][1]
        Assert.True(result.Accuracy[1][1] > Untrained(1) / 2, $"task 1 after task 1: {result.Accuracy[1][1]}, untrained {Untrained(1)}");
        // The classification default cannot train on real-valued targets: the objective is what the strategy used.
        using var classifier = new NaiveStrategy();
        Assert.ThrowsAny<Exception>(() => Run(classifier, TaskObjective.Classification));
    }
}
