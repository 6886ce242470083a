using System.Diagnostics;
using System.Globalization;
using Galt.Experiments.Data;
using Galt.Orleans;
using Galt.Models;
using Galt.Experiments.Reporting;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// <c>galt run graph-demo</c>: a 4-block MLP (784-256-128-64-10) trained as a split-variable chain — every block and
/// every boundary activation takes local steps, no backward pass crosses a block — with one safety constraint (the
/// probability of class 9 on 200 training images of other digits, smooth maximum ≤ 0.05), against the same network
/// trained by backprop-Adam. <c>--recipe NAME</c> picks the chain's setting (<see cref="GraphDemoRecipe"/>). Summary keys
/// <c>test_accuracy</c>, <c>backprop_test_accuracy</c>, <c>accuracy_gap_points</c>, <c>max_forward_residual</c>,
/// <c>forward_tolerance</c>, <c>safety.max_violation</c>.
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
    public bool AcceptsOption(string option) => option is "data-dir" or "recipe" or "executor" or "silos" or "membership";

    /// <inheritdoc />
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        "recipe" => GraphDemoRecipe.Default.Name,
        "executor" => "threaded",
        "silos" => context.Executor == "orleans" ? 2 : null,
        _ => null,
    };

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        // Checked before any data is read or any training starts.
        string executor = context.Executor ?? "threaded";
        if (executor is not ("threaded" or "orleans")) throw new ArgumentException($"--executor must be 'threaded' or 'orleans'; got '{executor}'.");
        if (context.Silos is not null && executor != "orleans") throw new ArgumentException("--silos needs --executor orleans.");
        SiloClusters.CheckOptions(context);
        var recipe = context.Recipe is null ? GraphDemoRecipe.Default : GraphDemoRecipe.Find(context.Recipe);
        var record = new RunRecord { Experiment = Name, Title = "Graph-parallel GALT: split-variable chain vs backprop", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        var data = MnistSource.Load(context.DataDir, context.Progress);
        record.Data = new DataRecord { Source = data.Source, Split = data.Description, TrainCount = data.Train.Count, TestCount = data.Test.Count, SplitSeed = data.SplitSeed };
        int backpropEpochs = context.Quick ? 2 : BackpropEpochs, chainEpochs = 2 * backpropEpochs;
        var chainOptions = recipe.Chain;
        record.Config["model"] = "4 blocks: Linear+ReLU 784→256, 256→128, 128→64, Linear 64→10";
        record.Config["backprop"] = $"Adam lr 1e-3, batch {GraphDemoTraining.BatchSize}, {backpropEpochs} epochs";
        record.Config["recipe"] = $"{recipe.Name}: {recipe.Description}";
        record.Config["chain"] = $"split variables at 3 boundaries, ρ {chainOptions.Rho}{(chainOptions.RhoGrowth > 1 ? $" growing ×{chainOptions.RhoGrowth} up to {chainOptions.RhoMax} (τ {chainOptions.Tau})" : "")}, " +
            $"η_z {chainOptions.SplitStep}, {chainOptions.InnerIterations} {chainOptions.Schedule} sweeps per batch, batch {GraphDemoTraining.BatchSize}, {chainEpochs} epochs (2× backprop)";
        record.Config["blocks"] = "one GaltOptimizer per block (lr 1e-3, wd 0, ρ_a 0)";
        record.Config["safety"] = "forbid_9: T_lse-smooth max over 200 non-9 training images of p(9) ≤ 0.05 (T_lse 0.005, so the smooth maximum exceeds the hard one by at most 0.005·ln 200 = 0.026), attached to every block";
        record.Config["split_variable_policy"] = "initialised by a forward pass of the initial network, multipliers 0, never re-initialised";
        record.Config["forward_tolerance"] = ForwardTolerance;

        var clock = Stopwatch.StartNew();
        var (backpropAccuracy, backpropTrainAccuracy) = GraphDemoTraining.Backprop(data.Train, data.Test, context.Seed, backpropEpochs, context.Progress);
        record.TimingsSeconds["backprop"] = clock.Elapsed.TotalSeconds;
        int siloCount = context.Silos ?? 2;
        // Block rounds on the silos get the libtorch threads the in-process ThreadedExecutor gives each of its workers for
        // the block round (cores / min(cores, blocks)): the same thread count, the same arithmetic.
        int threadsPerBlock = Math.Max(1, Environment.ProcessorCount / Math.Min(Environment.ProcessorCount, Widths.Length - 1));
        using var silos = executor == "orleans" ? SiloClusters.Open(siloCount, context.Membership, context.Progress, threadsPerBlock) : null;
        OrleansBlockHost? orleans = null;
        var siloOfBlock = Enumerable.Range(0, Widths.Length - 1).Select(v => v * siloCount / (Widths.Length - 1)).ToArray();
        Func<Galt.Graph.IBlockHost>? host = silos is null ? null : () => orleans = new OrleansBlockHost(silos.Client, GraphDemoBlocks.Specs(), siloOfBlock);
        ChainOutcome chain;
        try
        {
            chain = GraphDemoTraining.Chain(data.Train, data.Test, chainOptions, context.Seed, chainEpochs, context.Progress, host: host);
        }
        finally
        {
            orleans?.Dispose();
        }
        record.Config["executor"] = orleans is null ? "in process, ThreadedExecutor (one worker per core)"
            : $"Orleans: {silos!.Description}, block v on silo [{string.Join(", ", siloOfBlock)}], " +
              (context.Membership is null ? $"{threadsPerBlock} libtorch thread(s) per block round" : "libtorch threads per block round as each silo was started (--threads-per-block)");
        if (orleans is not null)
        {
            record.Config["placement"] = string.Join("; ", orleans.Placement.Select((silo, v) => $"block{v} on {silo}"));
            record.SetSummary("orleans.bytes_sent", orleans.BytesSent);
            record.SetSummary("orleans.bytes_received", orleans.BytesReceived);
            record.SetSummary("orleans.rounds", orleans.Rounds);
            record.TimingsSeconds["chain.orleans_calls"] = orleans.Seconds;
            record.SetSummary("orleans.recoveries", chain.RecoveryEvents.Count / 2);
            foreach (var e in chain.RecoveryEvents) record.Notes.Add($"Recovery: {e}.");
        }
        record.TimingsSeconds["chain"] = chain.Seconds.Total;
        record.TimingsSeconds["chain.block_steps"] = chain.Seconds.Blocks;
        record.TimingsSeconds["chain.split_steps"] = chain.Seconds.Splits;
        record.TimingsSeconds["chain.dual_steps"] = chain.Seconds.Duals;

        record.SetSummary("test_accuracy", chain.FinalAccuracy);
        record.SetSummary("backprop_test_accuracy", backpropAccuracy);
        record.SetSummary("accuracy_gap_points", 100 * (backpropAccuracy - chain.FinalAccuracy));
        record.SetSummary("train_accuracy", chain.TrainAccuracy);
        record.SetSummary("backprop_train_accuracy", backpropTrainAccuracy);
        record.SetSummary("max_forward_residual", chain.Residuals.Max());
        record.SetSummary("forward_tolerance", ForwardTolerance);
        record.SetSummary("safety.max_violation", Math.Max(0, chain.SafetyValue));
        record.SetSummary("safety.value", chain.SafetyValue);
        record.SetSummary("epochs_ratio", 2);
        record.Tables.Add(new ReportTable
        {
            Title = "Blocks", Columns = { "block", "forward residual mean |z − f| (its output boundary)", "λ(forbid_9)", "ρ(forbid_9)" },
            Rows = chain.Blocks.Select((b, v) => new List<string>
            {
                b.Name, v < chain.Residuals.Length ? F(chain.Residuals[v]) : "(output)", F(b.Lambda), F(b.Rho),
            }).ToList(),
        });
        record.Tables.Add(new ReportTable
        {
            Title = "Safety certificate", Columns = { "constraint", "C = smooth max p(9) − 0.05", "violation", "feasible" },
            Rows = { new() { "forbid_9", F(chain.SafetyValue), F(Math.Max(0, chain.SafetyValue)), chain.SafetyValue <= 0 ? "yes" : "no" } },
        });
        record.Plots.Add(new PlotSpec
        {
            File = "test_accuracy.png", Title = $"Test accuracy (backprop after {backpropEpochs} epochs: {backpropAccuracy:0.000})", XLabel = "epoch", YLabel = "accuracy",
            Lines = { chain.Accuracy, new PlotLine { Label = "backprop (final)", X = { 1, chainEpochs }, Y = { backpropAccuracy, backpropAccuracy } } },
        });
        record.Plots.Add(new PlotSpec { File = "forward_residual.png", Title = "Largest forward residual over the boundaries", XLabel = "epoch", YLabel = "mean |z − f|", Lines = { chain.MaxResidual } });
        record.Notes.Add("Training rounds differently on other CPUs (libtorch and MKL choose their kernels per CPU): the accuracies move in the third decimal from machine to machine; the run's machine and kernel settings are in result.json.");
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }

    private static string F(double v) => v.ToString("0.00000", CultureInfo.InvariantCulture);

    /// <summary>The 4-block network, initialised from <paramref name="seed"/>.</summary>
    public static BlockChain Network(int seed)
    {
        TorchLifetimes.ManualSeed(seed);
        return new BlockChain(Enumerable.Range(0, Widths.Length - 1).Select(v => (nn.Module<Tensor, Tensor>)new DenseBlock(Widths[v], Widths[v + 1], relu: v + 2 < Widths.Length)).ToArray());
    }
}
