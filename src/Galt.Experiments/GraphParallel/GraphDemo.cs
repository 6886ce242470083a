using System.Diagnostics;
using System.Globalization;
using Galt.Constraints;
using Galt.Data;
using Galt.Graph;
using Galt.Models;
using Galt.Optim;
using Galt.Reporting;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// <c>galt run graph-demo</c>: a 4-block MLP (784-256-128-64-10) trained as a split-variable chain — every block and
/// every boundary activation takes local steps, no backward pass crosses a block — with one safety constraint (the
/// probability of class 9 on 200 training images of other digits, smooth maximum ≤ 0.05), against the same network
/// trained by backprop-Adam. Summary keys <c>test_accuracy</c>, <c>backprop_test_accuracy</c>,
/// <c>max_forward_residual</c>, <c>forward_tolerance</c>, <c>safety.max_violation</c>.
/// </summary>
public sealed class GraphDemo : IRunnable
{
    /// <summary>Layer widths.</summary>
    public static readonly int[] Widths = { 784, 256, 128, 64, 10 };

    /// <summary>Backprop epochs (the chain gets twice as many).</summary>
    public int BackpropEpochs { get; init; } = 10;

    /// <summary>Mean |z_v − f_v(z_{v−1})| per unit allowed at the end, per boundary.</summary>
    public double ForwardTolerance { get; init; } = 0.05;

    /// <inheritdoc />
    public string Name => "graph-demo";

    /// <inheritdoc />
    public string Description => "4-block MLP trained as a split-variable chain (local steps only) with a safety constraint, vs backprop (summary test_accuracy, max_forward_residual).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        var record = new RunRecord { Experiment = Name, Title = "Graph-parallel GALT: split-variable chain vs backprop", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        var data = MnistSource.Load(context.DataDir, context.Progress);
        record.Data = new DataRecord { Source = data.Source, Split = data.Description, TrainCount = data.Train.Count, TestCount = data.Test.Count, SplitSeed = data.SplitSeed };
        int backpropEpochs = context.Quick ? 2 : BackpropEpochs, chainEpochs = 2 * backpropEpochs;
        var chainOptions = new SplitChainOptions(Rho: 5, SplitStep: 0.1, InnerIterations: 5, Schedule: Schedule.Jacobi);
        var blockOptions = new GaltOptions { LearningRate = 1e-3, WeightDecay = 0, RhoAnchor = 0 };
        record.Config["model"] = "4 blocks: Linear+ReLU 784→256, 256→128, 128→64, Linear 64→10";
        record.Config["backprop"] = $"Adam lr 1e-3, batch 128, {backpropEpochs} epochs";
        record.Config["chain"] = $"split variables at 3 boundaries, ρ {chainOptions.Rho}, η_z {chainOptions.SplitStep}, {chainOptions.InnerIterations} Jacobi sweeps per batch, batch 128, {chainEpochs} epochs (2× backprop)";
        record.Config["blocks"] = "one GaltOptimizer per block (lr 1e-3, wd 0, ρ_a 0)";
        record.Config["safety"] = "forbid_9: T_lse-smooth max over 200 non-9 training images of p(9) ≤ 0.05 (T_lse 0.005, so the smooth maximum exceeds the hard one by at most 0.005·ln 200 = 0.026), attached to every block";
        record.Config["split_variable_policy"] = "initialised by a forward pass of the initial network, multipliers 0, never re-initialised";
        record.Config["forward_tolerance"] = ForwardTolerance;

        var (xTrain, yTrain) = data.Train.ToTensors();
        var (xTest, yTest) = data.Test.ToTensors();

        // Backprop reference: the same architecture and initialisation.
        var clock = Stopwatch.StartNew();
        var reference = Network(context.Seed);
        using (var adam = optim.Adam(reference.parameters(), 1e-3))
        {
            var trainer = new SupervisedTrainer(reference, adam, 128, context.Seed);
            using var bar = context.Progress.Start("backprop reference", backpropEpochs);
            for (int e = 0; e < backpropEpochs; e++) { trainer.TrainEpoch(xTrain, yTrain); bar.Advance(1); }
        }
        double backpropAccuracy = SupervisedTrainer.Accuracy(reference, xTest, yTest);
        record.TimingsSeconds["backprop"] = clock.Elapsed.TotalSeconds;

        // The chain.
        var network = Network(context.Seed);
        var blocks = network.Blocks.Select((f, v) => new Block($"block{v}", f, blockOptions)).ToArray();
        var probeIdx = Enumerable.Range(0, data.Train.Count).Where(i => data.Train.Labels[i] != 9).OrderBy(i => (i * 7919L + context.Seed) % 100_003).Take(200).Select(i => (long)i).ToArray();
        var forbidden = zeros(200, 10);
        forbidden[TensorIndex.Colon, 9] = 1;
        using var safety = new ForbiddenMassConstraint("forbid_9", network, xTrain.index_select(0, tensor(probeIdx)), forbidden, margin: 0.05, lseTemperature: 0.005);
        var chain = new SplitChain(blocks, xTrain, yTrain, chainOptions, new ThreadedExecutor(), new[] { (Constraint)safety });
        clock.Restart();
        var accuracyLine = new PlotLine { Label = "split-variable chain" };
        var residualLine = new PlotLine { Label = "max forward residual" };
        var order = new Random(context.Seed);
        using (var bar = context.Progress.Start("split-variable chain", chainEpochs))
        {
            for (int e = 0; e < chainEpochs; e++)
            {
                foreach (var batch in SupervisedTrainer.Batches(data.Train.Count, 128, order)) chain.TrainBatch(batch);
                double accuracy = SupervisedTrainer.Accuracy(network, xTest, yTest);
                accuracyLine.X.Add(e + 1); accuracyLine.Y.Add(accuracy);
                residualLine.X.Add(e + 1); residualLine.Y.Add(chain.ForwardResiduals().Max());
                bar.Describe($"split-variable chain: epoch {e + 1}/{chainEpochs}, acc {accuracy:0.000}");
                bar.Advance(1);
            }
        }
        record.TimingsSeconds["chain"] = clock.Elapsed.TotalSeconds;
        var (blockSeconds, splitSeconds, dualSeconds) = chain.PhaseSeconds;
        record.TimingsSeconds["chain.block_steps"] = blockSeconds;
        record.TimingsSeconds["chain.split_steps"] = splitSeconds;
        record.TimingsSeconds["chain.dual_steps"] = dualSeconds;

        var residuals = chain.ForwardResiduals();
        double safetyValue = safety.Value();
        record.SetSummary("test_accuracy", accuracyLine.Y[^1]);
        record.SetSummary("backprop_test_accuracy", backpropAccuracy);
        record.SetSummary("accuracy_gap_points", 100 * (backpropAccuracy - accuracyLine.Y[^1]));
        record.SetSummary("max_forward_residual", residuals.Max());
        record.SetSummary("forward_tolerance", ForwardTolerance);
        record.SetSummary("safety.max_violation", Math.Max(0, safetyValue));
        record.SetSummary("safety.value", safetyValue);
        record.SetSummary("epochs_ratio", 2);
        record.Tables.Add(new ReportTable
        {
            Title = "Blocks", Columns = { "block", "forward residual mean |z − f| (its output boundary)", "λ(forbid_9)", "ρ(forbid_9)" },
            Rows = blocks.Select((b, v) => new List<string>
            {
                b.Name, v < residuals.Length ? F(residuals[v]) : "(output)", F(b.Optimizer.Constraints[0].Lambda), F(b.Optimizer.Constraints[0].Rho),
            }).ToList(),
        });
        record.Tables.Add(new ReportTable
        {
            Title = "Safety certificate", Columns = { "constraint", "C = smooth max p(9) − 0.05", "violation", "feasible" },
            Rows = { new() { safety.Name, F(safetyValue), F(Math.Max(0, safetyValue)), safetyValue <= 0 ? "yes" : "no" } },
        });
        record.Plots.Add(new PlotSpec
        {
            File = "test_accuracy.png", Title = $"Test accuracy (backprop after {backpropEpochs} epochs: {backpropAccuracy:0.000})", XLabel = "epoch", YLabel = "accuracy",
            Lines = { accuracyLine, new PlotLine { Label = "backprop (final)", X = { 1, chainEpochs }, Y = { backpropAccuracy, backpropAccuracy } } },
        });
        record.Plots.Add(new PlotSpec { File = "forward_residual.png", Title = "Largest forward residual over the boundaries", XLabel = "epoch", YLabel = "mean |z − f|", Lines = { residualLine } });
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        chain.Dispose();
        foreach (var b in blocks) b.Dispose();
        return record;
    }

    private static string F(double v) => v.ToString("0.00000", CultureInfo.InvariantCulture);

    /// <summary>The 4-block network, initialised from <paramref name="seed"/>.</summary>
    public static BlockChain Network(int seed)
    {
        random.manual_seed(seed);
        return new BlockChain(Enumerable.Range(0, Widths.Length - 1).Select(v => (nn.Module<Tensor, Tensor>)new DenseBlock(Widths[v], Widths[v + 1], relu: v + 2 < Widths.Length)).ToArray());
    }
}
