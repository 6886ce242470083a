using Galt.Experiments.GraphParallel;
using System.Diagnostics;
using Galt.Graph;
using Galt.Models;
using Galt.Optim;
using Galt.Experiments.Reporting;
using Galt.Tensors;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// <c>galt bench graph</c>: inner-phase wall time (block steps + split-variable steps) of a split-variable chain of
/// {2, 4, 8} equal blocks (Linear 512→512 + ReLU; the last without ReLU, trained on 512 classes), Jacobi schedule, on
/// one worker thread and on two (libtorch intra-op threads fixed to 1 per worker, so the ratio is the scaling of block
/// parallelism itself); a third column gives one worker with libtorch's own intra-op threads on every core, a fourth the
/// <see cref="AdaptiveExecutor"/> that picks per phase. Summary keys <c>speedup_2v1_{2,4,8}blocks</c> and
/// <c>speedup_best_vs_intraop_{2,4,8}blocks</c> (intra-op seconds / the best block executor's).
/// </summary>
public sealed class GraphBenchmark : IRunnable
{
    /// <inheritdoc />
    public string Name => "graph";

    /// <inheritdoc />
    public string Description => "Inner-phase wall time of a split-variable chain of 2/4/8 equal blocks on 1 vs 2 workers, intra-op and adaptive, Jacobi (summary speedup_2v1_*blocks, speedup_best_vs_intraop_*blocks).";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "executor" or "silos" or "membership";

    /// <inheritdoc />
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        "executor" => "threaded",
        "silos" => context.Executor == "orleans" ? 2 : null,
        _ => null,
    };

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        SiloClusters.CheckOptions(context);
        if (context.Executor is "orleans") return GraphClusterBenchmark.Run(context, Name);
        if (context.Executor is not (null or "threaded")) throw new ArgumentException($"--executor must be 'threaded' or 'orleans'; got '{context.Executor}'.");
        if (context.Silos is not null) throw new ArgumentException("--silos needs --executor orleans.");
        const int width = 512, examples = 4096, batch = 256;
        int batches = context.Quick ? 4 : 16, repeats = context.Quick ? 1 : 3;
        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Parallel local solves: 1 vs 2 workers", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["blocks"] = $"Linear {width}→{width} + ReLU (last: no ReLU, cross-entropy over {width} classes)";
        record.Config["chain"] = $"{examples} examples, batch {batch}, {batches} batches per measurement, 1 Jacobi sweep per batch, best of {repeats}";
        record.Config["workers"] = $"ThreadedExecutor(1 or 2 workers, 1 libtorch thread each); reference: SequentialExecutor with {get_num_threads()} libtorch threads";
        record.Config["openmp_spin"] = SolveBenchmark.OpenMpSpin();
        record.Config["adaptive"] = $"AdaptiveExecutor(2 workers, 1 libtorch thread each; 2 trials per mode and phase, taken in the {WarmupBatches} warm-up batches every executor gets): per phase the faster of block-parallel and intra-op";
        var table = new ReportTable { Title = "Inner-phase seconds", Columns = { "blocks", "1 worker", "2 workers", "speedup 2 vs 1", $"1 worker, {get_num_threads()} libtorch threads", "adaptive", "best vs intra-op", "adaptive's choice (block phase, split phase)" } };
        using var task = context.Progress.Start("Benchmark graph", 3 * 4 * repeats);
        foreach (int blocks in new[] { 2, 4, 8 })
        {
            double Best(IBlockExecutor executor) => Enumerable.Range(0, repeats).Min(_ => { var t = Measure(blocks, width, examples, batch, batches, context.Seed, executor); task.Advance(1); return t; });
            double one = Best(new ThreadedExecutor(1, threadsPerWorker: 1));
            double two = Best(new ThreadedExecutor(2, threadsPerWorker: 1));
            double intraOp = Best(new SequentialExecutor());
            var choices = new List<string>();
            double adaptive = Enumerable.Range(0, repeats).Min(_ =>
            {
                var executor = new AdaptiveExecutor(2, threadsPerWorker: 1, trials: 2);
                var t = Measure(blocks, width, examples, batch, batches, context.Seed, executor);
                choices.Add(string.Join(", ", executor.Choices.Values));
                task.Advance(1);
                return t;
            });
            double best = new[] { one, two, adaptive }.Min();
            record.SetSummary($"speedup_best_vs_intraop_{blocks}blocks", intraOp / best);
            record.SetSummary($"inner_seconds_adaptive_{blocks}blocks", adaptive);
            record.SetSummary($"speedup_2v1_{blocks}blocks", one / two);
            record.SetSummary($"inner_seconds_1worker_{blocks}blocks", one);
            record.SetSummary($"inner_seconds_2workers_{blocks}blocks", two);
            record.SetSummary($"inner_seconds_intraop_{blocks}blocks", intraOp);
            table.Rows.Add(new() { blocks.ToString(), MarkdownReport.FormatNumber(one), MarkdownReport.FormatNumber(two), MarkdownReport.FormatNumber(one / two), MarkdownReport.FormatNumber(intraOp),
                MarkdownReport.FormatNumber(adaptive), MarkdownReport.FormatNumber(intraOp / best), string.Join(" / ", choices.Distinct()) });
        }
        record.Tables.Add(table);
        return record;
    }

    /// <summary>Batches trained before the clock starts, for every executor alike: enough for the adaptive executor's trials (2 per mode).</summary>
    private const int WarmupBatches = 4;

    private static double Measure(int blockCount, int width, int examples, int batch, int batches, int seed, IBlockExecutor executor)
    {
        using var scope = NewDisposeScope();
        TorchLifetimes.ManualSeed(seed);
        using var generator = new Generator((ulong)seed + 5);
        var x = randn(new long[] { examples, width }, generator: generator);
        var y = randint(0, width, new long[] { examples }, generator: generator);
        var blocks = Enumerable.Range(0, blockCount)
            .Select(v => new Block($"block{v}", new DenseBlock(width, width, relu: v + 1 < blockCount), new GaltOptions { LearningRate = 1e-3, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new Galt.Multipliers.PiDualRule(), Contract = null }))
            .ToArray();
        using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(InnerIterations: 1), executor);
        var order = new Random(seed);
        foreach (var b in SupervisedTrainer.Batches(examples, batch, order).Take(WarmupBatches)) chain.TrainBatch(b); // warm-up (and the adaptive executor's trials)
        var before = chain.PhaseSeconds;
        foreach (var b in SupervisedTrainer.Batches(examples, batch, order).Take(batches)) chain.TrainBatch(b);
        var after = chain.PhaseSeconds;
        foreach (var block in blocks)
        {
            block.Dispose();
            block.Function.Dispose();
        }
        return after.Blocks - before.Blocks + after.Splits - before.Splits;
    }
}
