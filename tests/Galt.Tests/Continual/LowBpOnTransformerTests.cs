using Galt.Continual;
using Galt.Continual.Strategies;
using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Tests.Continual;

/// <summary>
/// The low-BP hybrid (local heads on the model's layer states, cached constraint Jacobians on local steps) on the
/// transformer trunk, in the continual harness: no model-specific code, only <see cref="ILayerStates"/>.
/// </summary>
public class LowBpOnTransformerTests
{
    private const int Vocabulary = 16, Length = 6;

    /// <summary>Task t: classes 2t and 2t+1; an example of class c holds token c + 1 at two seeded positions among noise tokens 8–15.</summary>
    private static TaskStream Stream()
    {
        var rng = new Random(4);
        ContinualTask Task(int t)
        {
            (Tensor, Tensor) Sample(int perClass)
            {
                var ids = new List<long>();
                var labels = new List<long>();
                for (int c = 2 * t; c <= 2 * t + 1; c++)
                    for (int i = 0; i < perClass; i++)
                    {
                        var sequence = Enumerable.Range(0, Length).Select(_ => (long)rng.Next(8, Vocabulary)).ToArray();
                        sequence[rng.Next(Length)] = c + 1;
                        sequence[rng.Next(Length)] = c + 1;
                        ids.AddRange(sequence);
                        labels.Add(c);
                    }
                return (tensor(ids.ToArray(), new long[] { labels.Count, Length }), tensor(labels.ToArray()));
            }
            var (trainX, trainY) = Sample(96);
            var (testX, testY) = Sample(48);
            return new ContinualTask(t, $"classes {2 * t}, {2 * t + 1}", trainX, trainY, testX, testY);
        }
        return TaskStream.FromTasks("tokens", "two tasks of two token classes", new[] { Task(0), Task(1) });
    }

    [Fact]
    public void TheLowBpHybridTrainsATransformerWithLocalStepsAndHoldsItsRetentionConstraint()
    {
        using var stream = Stream();
        using var strategy = new LocalHeadLowBpStrategy { Options = GaltHessianStrategy.SplitMnistOptions with { LearningRate = 3e-3 } };
        random.manual_seed(6);
        var result = ContinualTrainer.Run(stream, () => new TransformerClassifier(Vocabulary, Length, modelWidth: 16, heads: 2, layers: 2, classes: 4),
            strategy, new ContinualSettings(EpochsPerTask: 8, BatchSize: 16, Seed: 2));
        // Both kinds of step ran, most of them local (heads only, cached Jacobians): here 38 global and 154 local.
        Assert.True(result.GlobalBackprops > 0 && result.LocalBackprops > result.GlobalBackprops, $"global {result.GlobalBackprops}, local {result.LocalBackprops}");
        // At a budget where plain Adam learns each task (8 epochs at lr 3e-3: accuracy 1.0), so does the hybrid, and it
        // keeps the first task through the second (here 1.0, 1.0, 1.0; chance within a task is 0.5).
        Assert.True(result.Accuracy[0][0] > 0.9, $"task 0 after task 0: {result.Accuracy[0][0]}");
        Assert.True(result.Accuracy[1][1] > 0.9, $"task 1 after task 1: {result.Accuracy[1][1]}");
        Assert.True(result.Accuracy[1][0] > 0.9, $"task 0 after task 1: {result.Accuracy[1][0]}");
        var certificate = result.Constraints!.Certificate!;
        Assert.Contains(certificate.Rows, r => r.Name.StartsWith("retain", StringComparison.Ordinal));
        Assert.True(certificate.AllFeasible, string.Join("; ", certificate.Rows.Select(r => $"{r.Name}: C = {r.Value}")));
    }
}
