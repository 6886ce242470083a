using System.Diagnostics;
using Galt.Constraints;
using Galt.Experiments.Data;
using Galt.Graph;
using Galt.Models;
using Galt.Optim;
using Galt.Experiments.Reporting;
using Galt.Continual;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Experiments.GraphParallel;

/// <summary>One split-variable chain run of the graph demo, scored on its evaluation images.</summary>
/// <param name="Accuracy">Evaluation accuracy after every epoch.</param>
/// <param name="MaxResidual">Largest forward residual over the boundaries after every epoch.</param>
/// <param name="Residuals">Final forward residual mean |z_v − f_v(z_{v−1})| per boundary.</param>
/// <param name="SafetyValue">Final C of the safety constraint (≤ 0: holds).</param>
/// <param name="Blocks">Per block: name, λ and ρ of the safety edge.</param>
/// <param name="Seconds">Wall time of the chain's training: total, block steps, split-variable steps, dual steps.</param>
public sealed record ChainOutcome(PlotLine Accuracy, PlotLine MaxResidual, double[] Residuals, double SafetyValue,
    IReadOnlyList<(string Name, double Lambda, double Rho)> Blocks, (double Total, double Blocks, double Splits, double Duals) Seconds)
{
    /// <summary>Accuracy of the composed network on its own training images at the end (how well the chain fits).</summary>
    public double TrainAccuracy { get; init; } = double.NaN;

    /// <summary>Recoveries from lost blocks (a silo stopped) and what happened, when the chain ran with <see cref="ChainRecovery"/>.</summary>
    public IReadOnlyList<string> RecoveryEvents { get; init; } = Array.Empty<string>();

    /// <summary>The evaluation accuracy after the last epoch.</summary>
    public double FinalAccuracy => Accuracy.Y[^1];
}

/// <summary>
/// The two trainings the graph demo compares, on any train / evaluation pair of MNIST sets: the 4-block network by
/// backprop-Adam, and the same network (same initialisation) as a split-variable chain with the safety constraint.
/// </summary>
public static class GraphDemoTraining
{
    /// <summary>Minibatches between the in-memory checkpoints a chain on a cluster recovers from.</summary>
    public const int RecoveryEvery = 20;

    /// <summary>Minibatch size of both trainings.</summary>
    public const int BatchSize = 128;

    /// <summary>Training images of other digits the safety constraint bounds p(9) on.</summary>
    public const int SafetyProbeCount = 200;

    /// <summary>The safety bound on p(9) (the smooth maximum over the probe images).</summary>
    public const double SafetyMargin = 0.05;

    /// <summary>Temperature of the smooth maximum (log-sum-exp) of the safety constraint.</summary>
    public const double SafetyTemperature = 0.005;

    /// <summary>Trains the network by backprop-Adam (lr 1e-3) for <paramref name="epochs"/>; returns its accuracy on the evaluation and on the training images.</summary>
    public static (double Accuracy, double TrainAccuracy) Backprop(MnistDataset train, MnistDataset evaluation, int seed, int epochs, IProgressSink progress)
    {
        using var scope = NewDisposeScope();
        var (x, y) = train.ToTensors();
        var (ex, ey) = evaluation.ToTensors();
        using var reference = GraphDemo.Network(seed);
        using (var adam = new ExplicitAdam(reference.parameters(), 1e-3))
        {
            var trainer = new SupervisedTrainer(reference, adam, BatchSize, seed);
            using var bar = progress.Start("backprop reference", epochs);
            for (int e = 0; e < epochs; e++) { trainer.TrainEpoch(x, y); bar.Advance(1); }
        }
        return (SupervisedTrainer.Accuracy(reference, ex, ey), SupervisedTrainer.Accuracy(reference, x, y));
    }

    /// <summary>
    /// Trains the network as a split-variable chain with <paramref name="options"/> for <paramref name="epochs"/>: one
    /// <see cref="GaltOptimizer"/> per block (lr 1e-3, wd 0, ρ_a 0), blocks run on the host <paramref name="host"/> makes
    /// (default: in process, stepped by a <see cref="ThreadedExecutor"/>), and the safety constraint forbid_9 attached to every block.
    /// </summary>
    public static ChainOutcome Chain(MnistDataset train, MnistDataset evaluation, SplitChainOptions options, int seed, int epochs, IProgressSink progress,
        string label = "split-variable chain", Func<IBlockHost>? host = null) =>
        Chain(train, evaluation, options, seed, epochs, progress, label, host, afterBatch: null);

    /// <summary>
    /// <see cref="Chain(MnistDataset, MnistDataset, SplitChainOptions, int, int, IProgressSink, string, Func{IBlockHost}?)"/>,
    /// calling <paramref name="afterBatch"/> with the epoch and minibatch index after each minibatch (tests stop a silo there).
    /// A chain on a given host trains under <see cref="ChainRecovery"/>: a checkpoint every <see cref="RecoveryEvery"/> minibatches.
    /// </summary>
    internal static ChainOutcome Chain(MnistDataset train, MnistDataset evaluation, SplitChainOptions options, int seed, int epochs, IProgressSink progress,
        string label, Func<IBlockHost>? host, Action<int, int>? afterBatch)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var (x, y) = train.ToTensors();
        var (ex, ey) = evaluation.ToTensors();
        using var network = GraphDemo.Network(seed);
        var blocks = network.Blocks.Select((f, v) => new Block($"block{v}", f, GraphDemoBlocks.Options())).ToArray();
        var forbidden = zeros(SafetyProbeCount, 10);
        forbidden[TensorIndex.Colon, 9] = 1;
        using var safety = new ForbiddenMassConstraint("forbid_9", network, x.index_select(0, tensor(SafetyProbes(train, seed))), forbidden,
            margin: SafetyMargin, lseTemperature: SafetyTemperature);
        using var chain = new SplitChain(blocks, x, y, host?.Invoke() ?? new LocalBlockHost(new ThreadedExecutor()), options, new[] { (Constraint)safety });
        try
        {
            var accuracy = new PlotLine { Label = label };
            var residual = new PlotLine { Label = "max forward residual" };
            var order = new Random(seed);
            var recovery = host is null ? null : new ChainRecovery(chain, RecoveryEvery);
            using (var bar = progress.Start(label, epochs))
            {
                for (int e = 0; e < epochs; e++)
                {
                    var batches = SupervisedTrainer.Batches(train.Count, BatchSize, order).ToList();
                    int epoch = e;
                    if (recovery is null)
                        for (int i = 0; i < batches.Count; i++) { chain.TrainBatch(batches[i]); afterBatch?.Invoke(epoch, i); }
                    else recovery.Train(batches, i => afterBatch?.Invoke(epoch, i));
                    chain.Collect();
                    double a = SupervisedTrainer.Accuracy(network, ex, ey);
                    accuracy.X.Add(e + 1); accuracy.Y.Add(a);
                    residual.X.Add(e + 1); residual.Y.Add(chain.ForwardResiduals().Max());
                    bar.Describe($"{label}: epoch {e + 1}/{epochs}, acc {a:0.000}");
                    bar.Advance(1);
                }
            }
            var (blockSeconds, splitSeconds, dualSeconds) = chain.PhaseSeconds;
            chain.Host.Collect(wholeState: true); // the blocks' multipliers, wherever the blocks ran
            return new ChainOutcome(accuracy, residual, chain.ForwardResiduals(), safety.Value(),
                blocks.Select(b => (b.Name, b.Optimizer.Constraints[0].Lambda, b.Optimizer.Constraints[0].Rho)).ToArray(),
                (clock.Elapsed.TotalSeconds, blockSeconds, splitSeconds, dualSeconds))
            {
                TrainAccuracy = SupervisedTrainer.Accuracy(network, x, y), RecoveryEvents = recovery?.Events ?? Array.Empty<string>(),
            };
        }
        finally
        {
            foreach (var b in blocks) b.Dispose();
        }
    }

    /// <summary>The seeded choice of <see cref="SafetyProbeCount"/> training images whose label is not 9.</summary>
    public static long[] SafetyProbes(MnistDataset train, int seed) =>
        Enumerable.Range(0, train.Count).Where(i => train.Labels[i] != 9).OrderBy(i => (i * 7919L + seed) % 100_003)
            .Take(SafetyProbeCount).Select(i => (long)i).ToArray();
}
