using System.Diagnostics;
using Galt.Experiments.GraphParallel;
using Galt.Experiments.Reporting;
using Galt.Graph;
using Galt.Orleans;
using Galt.Tensors;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// <c>galt bench graph --executor orleans [--silos N]</c>: a chain of 64 equal blocks (Linear 512→512 + ReLU; 16 with
/// --quick), Jacobi, one sweep per minibatch, its blocks as grains on N silo processes of this machine; measures the
/// rounds' bytes and times, the coordinator's serial work and each block's compute per round, runs the same minibatches
/// in process for comparison, and replays the measured rounds in <see cref="ClusterSpeedupModel"/> on 1, 4, 16 and 64
/// machines. Summary keys <c>orleans.seconds</c>, <c>inprocess.seconds</c>, <c>orleans.bytes_per_round</c>,
/// <c>orleans.rounds</c>, <c>modelled_seconds_{1,4,16,64}machines</c>, <c>modelled_speedup_{4,16,64}machines</c>.
/// </summary>
internal static class GraphClusterBenchmark
{
    private const int Width = 512, Examples = 1024, Batch = 256;

    public static RunRecord Run(RunContext context, string name)
    {
        int blockCount = context.Quick ? 16 : 64, batches = context.Quick ? 2 : 4, silos = context.Silos ?? 2;
        var record = new RunRecord { Experiment = name, Kind = "benchmark", Title = "Blocks as grains: measured rounds and modelled machines", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        var model = ClusterSpeedupModel.DataCentre;
        record.Config["chain"] = $"{blockCount} blocks Linear {Width}→{Width} + ReLU (last: none, cross-entropy over {Width} classes), {Examples} examples, batch {Batch}, 1 Jacobi sweep per minibatch, {batches} timed minibatches after 1 warm-up";
        record.Config["cluster"] = context.Membership is null ? $"{silos} silo processes on this machine (loopback), blocks contiguous over them, 1 libtorch thread per block round"
            : $"{silos} silos joined through the membership table (PostgreSQL), blocks contiguous over them, libtorch threads per block round as each silo was started";
        record.Config["model"] = $"blocks contiguous over M machines; a round lasts its busiest machine's block seconds (measured on the silos) plus, for M > 1, {model.Latency * 1e6:0} µs and its bytes at {model.Bandwidth / 1e9:0.##} GB/s through the coordinator; the coordinator's measured serial work added once";
        using var bar = context.Progress.Start("bench graph on Orleans", 3);
        using var cluster = SiloClusters.Open(silos, context.Membership, context.Progress);
        bar.Advance(1);
        var onCluster = Measure(context.Seed, blockCount, batches, blocks => new OrleansBlockHost(cluster.Client, Specs(blockCount), Enumerable.Range(0, blockCount).Select(v => v * silos / blockCount).ToArray()));
        bar.Advance(1);
        var inProcess = Measure(context.Seed, blockCount, batches, _ => new LocalBlockHost(new SequentialExecutor()));
        bar.Advance(1);
        var host = (OrleansBlockHost)onCluster.Host;
        var rounds = host.RoundLog.Skip(onCluster.WarmupRounds).ToArray();
        long bytes = rounds.Sum(r => r.Bytes);
        // The wall time outside the rounds' calls: building, encoding and decoding messages, routing (encoding is outside the calls).
        double coordinator = onCluster.Seconds - onCluster.RoundSeconds;
        record.SetSummary("orleans.seconds", onCluster.Seconds);
        record.SetSummary("inprocess.seconds", inProcess.Seconds);
        record.SetSummary("orleans.rounds", rounds.Length);
        record.SetSummary("orleans.bytes_per_round", (double)bytes / rounds.Length);
        record.SetSummary("orleans.block_compute_seconds", rounds.Sum(r => r.BlockSeconds.Sum()));
        record.SetSummary("orleans.coordinator_seconds", coordinator);
        record.SetSummary("orleans.codec_seconds", onCluster.CodecSeconds);
        record.Tables.Add(new ReportTable
        {
            Title = "Measured (this machine)", Columns = { "blocks", "silos", "rounds", "MB moved", "seconds on silos", "seconds in process", "block compute (sum, CPU)", "coordinator serial (of which codec)" },
            Rows = { new() { blockCount.ToString(), silos.ToString(), rounds.Length.ToString(), MarkdownReport.FormatNumber(bytes / 1e6), MarkdownReport.FormatNumber(onCluster.Seconds),
                MarkdownReport.FormatNumber(inProcess.Seconds), MarkdownReport.FormatNumber(rounds.Sum(r => r.BlockSeconds.Sum())), $"{MarkdownReport.FormatNumber(coordinator)} ({MarkdownReport.FormatNumber(onCluster.CodecSeconds)})" } },
        });
        var modelled = new ReportTable { Title = "Modelled machines", Columns = { "machines", "blocks per machine", "seconds", "speedup vs 1 machine" } };
        double one = model.Seconds(rounds, 1, coordinator);
        foreach (int machines in new[] { 1, 4, 16, 64 })
        {
            double t = model.Seconds(rounds, machines, coordinator);
            record.SetSummary($"modelled_seconds_{machines}machines", t);
            if (machines > 1) record.SetSummary($"modelled_speedup_{machines}machines", one / t);
            modelled.Rows.Add(new() { machines.ToString(), MarkdownReport.FormatNumber((double)blockCount / machines), MarkdownReport.FormatNumber(t), MarkdownReport.FormatNumber(one / t) });
        }
        record.Tables.Add(modelled);
        record.Notes.Add("With more machines than blocks a machine idles; the model gives no speedup past one block per machine. The measured block compute includes each grain's decoding and encoding of its messages; it is the grain thread's CPU time (Linux), so the silos' contention for this machine's cores does not inflate it.");
        host.Dispose();
        return record;
    }

    private static BlockSpec[] Specs(int blockCount) => Enumerable.Range(0, blockCount)
        .Select(v => new BlockSpec(ExperimentBlocks.BenchDense, $"{Width},{v + 1 < blockCount}", $"block{v}", v)).ToArray();

    private sealed record Measurement(IBlockHost Host, double Seconds, double RoundSeconds, double CodecSeconds, int WarmupRounds);

    private static Measurement Measure(int seed, int blockCount, int batches, Func<Block[], IBlockHost> makeHost)
    {
        using var scope = NewDisposeScope();
        TorchLifetimes.ManualSeed(seed);
        using var generator = new Generator((ulong)seed + 5);
        var x = randn(new long[] { Examples, Width }, generator: generator);
        var y = randint(0, Width, new long[] { Examples }, generator: generator);
        var blocks = Enumerable.Range(0, blockCount).Select(v => ExperimentBlocks.Bench($"block{v}", Width, relu: v + 1 < blockCount)).ToArray();
        var host = makeHost(blocks);
        try
        {
            using var chain = new SplitChain(blocks, x, y, host, new SplitChainOptions(InnerIterations: 1));
            var order = new Random(seed);
            var all = Enumerable.Range(0, batches + 1).SelectMany(_ => SupervisedTrainer.Batches(Examples, Batch, order)).Take(batches + 1).ToArray();
            chain.TrainBatch(all[0]); // warm-up
            var orleans = host as OrleansBlockHost;
            int warmupRounds = (int)(orleans?.Rounds ?? 0);
            double roundsBefore = orleans?.Seconds ?? 0, codecBefore = orleans?.CodecSeconds ?? 0;
            var clock = Stopwatch.StartNew();
            foreach (var b in all.Skip(1)) chain.TrainBatch(b);
            double seconds = clock.Elapsed.TotalSeconds;
            return new Measurement(host, seconds, (orleans?.Seconds ?? 0) - roundsBefore, (orleans?.CodecSeconds ?? 0) - codecBefore, warmupRounds);
        }
        finally
        {
            foreach (var block in blocks) { block.Dispose(); block.Function.Dispose(); }
        }
    }
}
