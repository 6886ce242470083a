using System.Diagnostics;
using System.Globalization;
using Galt.Constraints;
using Galt.Diagnostics;
using Galt.Graph;
using Galt.Models;
using Galt.Optim;
using Galt.Experiments.Reporting;
using Galt.Continual;
using Galt.Tensors;
using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// <c>galt bench memory</c>: resident memory over long runs. (a) A <see cref="GaltOptimizer"/> trains a
/// 64-128-128-10 MLP on seeded synthetic data for 10,000 steps with 4 KL retention constraints on the default (batched)
/// Jacobian path; (b) a <see cref="SplitChain"/> of 3 dense blocks with an external forbidden-mass constraint, stepped by
/// a 2-worker <see cref="ThreadedExecutor"/>, takes 2,000 minibatches. Every 1 % of a run the resident set, the managed
/// heap, the C heap in use and the live TorchSharp tensors are read after a full garbage collection; the first 10 % of
/// steps are warm-up. Summary keys per run (suffix <c>_optimizer</c> / <c>_chain</c>): <c>rss_mib_warmup_end</c>,
/// <c>rss_mib_max_after_warmup</c>, <c>rss_mib_final</c>, <c>rss_drift</c> (fraction) and <c>rss_flat</c> (1 when the drift
/// is within 5 %), the same readings of the managed heap, the C heap and the tensor counts, and
/// <c>finalized_torch_objects</c> (with <c>_optimizer</c> and <c>_chain</c>): TorchSharp objects the runs left to the finalizer.
/// </summary>
public sealed class MemoryBenchmark : IRunnable
{
    /// <summary>Largest drift of the resident set after warm-up that counts as flat.</summary>
    public const double Tolerance = 0.05;

    /// <summary>Fraction of each run's steps counted as warm-up.</summary>
    public const double WarmupFraction = 0.1;

    /// <summary>Readings per run (one every 1 % of its steps).</summary>
    public const int Readings = 100;

    private const int Inputs = 64, Hidden = 128, Classes = 10, Examples = 4096, Batch = 128;
    private const int RetentionConstraints = 4, AnchorsPerConstraint = 32, SafetyProbes = 64;

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public string Description => "Resident memory over a 10,000-step GaltOptimizer run with batched constraints and a 2,000-step SplitChain run: flat within 5 % after warm-up? (summary rss_drift_optimizer, rss_drift_chain).";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option == "steps";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        int optimizerSteps = context.Steps ?? (context.Quick ? 1_000 : 10_000);
        int chainSteps = Math.Max(10, optimizerSteps / 5);
        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Resident memory over long runs", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["optimizer_run"] = $"GaltOptimizer (lr 1e-3, other options default: batched Jacobians, linearised dual, fused kernels), MLP {Inputs}-{Hidden}-{Hidden}-{Classes}, " +
                                         $"{RetentionConstraints} KL retention constraints × {AnchorsPerConstraint} anchor inputs (margin 0.02), {optimizerSteps} steps of batch {Batch}";
        record.Config["chain_run"] = $"SplitChain of 3 DenseBlocks ({Inputs}→{Hidden}→{Hidden}→{Classes}), default SplitChainOptions (5 Jacobi sweeps per minibatch), " +
                                     $"blocks' GaltOptions as graph-demo's (lr 1e-3, wd 0, ρ_a 0, release PI rule), external forbidden-mass constraint on {SafetyProbes} probes, " +
                                     $"ThreadedExecutor(2 workers, 1 libtorch thread each), {chainSteps} minibatches of {Batch}";
        record.Config["data"] = $"synthetic: {Examples} seeded N(0, 1) inputs of width {Inputs}, labels from a seeded random linear teacher (argmax)";
        record.Config["sampling"] = $"{Readings} readings per run plus one before the first step; each after GC.Collect, WaitForPendingFinalizers, GC.Collect";
        record.Config["warmup"] = $"first {WarmupFraction:P0} of each run's steps";
        record.Config["tolerance"] = $"drift ≤ {Tolerance:P0}";
        record.Config["heap_tuning"] = HeapTuning.Applied ? "on (freed C-heap blocks stay resident; the galt command turns it on)" : "off";
        record.Config["DOTNET_GCgen0size"] = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "(unset)";

        // TorchSharp objects freed by the finalizer instead of disposed, counted over each run from the runtime's
        // own finalization events; anything above zero is an object the run left to the garbage collector.
        using var finalized = new FinalizedTorchObjects();
        finalized.Settle();
        finalized.Reset();
        var optimizer = OptimizerRun(context.Seed, optimizerSteps, context.Progress, record);
        finalized.Settle();
        var finalizedOptimizer = (finalized.Count, finalized.ToString());
        finalized.Reset();
        var chain = ChainRun(context.Seed, chainSteps, context.Progress, record);
        finalized.Settle();
        var finalizedChain = (finalized.Count, finalized.ToString());
        record.SetSummary("finalized_torch_objects_optimizer", finalizedOptimizer.Count);
        record.SetSummary("finalized_torch_objects_chain", finalizedChain.Count);
        record.SetSummary("finalized_torch_objects", finalizedOptimizer.Count + finalizedChain.Count);
        record.TimingsSeconds["optimizer_run"] = optimizer.Seconds;
        record.TimingsSeconds["chain_run"] = chain.Seconds;
        record.TimingsSeconds["total"] = optimizer.Seconds + chain.Seconds;

        var resident = new ReportTable { Title = $"Resident set (MiB) after warm-up: flat within {Tolerance:P0}?", Columns = { "run", "steps", "reading every", "warm-up steps", "at warm-up end", "max after warm-up", "final", "drift", "flat" } };
        var other = new ReportTable { Title = "Managed heap, C heap in use (MiB), TorchSharp tensors and threads: at warm-up end / max after warm-up / final", Columns = { "run", "managed heap", "C heap in use", "live tensors", "undisposed tensors (sampling thread)", "threads" } };
        foreach (var (trace, key) in new[] { (optimizer, "optimizer"), (chain, "chain") })
        {
            Summarise(record, trace, key);
            var w = trace.AtWarmupEnd;
            var f = trace.Final;
            resident.Rows.Add(new() { trace.Label, trace.Steps.ToString(CultureInfo.InvariantCulture), trace.Every.ToString(CultureInfo.InvariantCulture), trace.WarmupSteps.ToString(CultureInfo.InvariantCulture),
                Mib(w.ResidentBytes), Mib(trace.MaxResidentAfterWarmup), Mib(f.ResidentBytes), trace.Drift.ToString("+0.00%;-0.00%", CultureInfo.InvariantCulture), trace.Flat(Tolerance) ? "yes" : "NO" });
            other.Rows.Add(new()
            {
                trace.Label,
                $"{Mib(w.ManagedBytes)} / {Mib(trace.MaxManagedAfterWarmup)} / {Mib(f.ManagedBytes)}",
                w.NativeHeapBytes < 0 ? "n/a" : $"{Mib(w.NativeHeapBytes)} / {Mib(trace.MaxNativeHeapAfterWarmup)} / {Mib(f.NativeHeapBytes)}",
                $"{w.LiveTensors} / {trace.AfterWarmup.Max(s => s.LiveTensors)} / {f.LiveTensors}",
                trace.CountsUndisposed ? $"{w.UndisposedTensors} / {trace.AfterWarmup.Max(s => s.UndisposedTensors)} / {f.UndisposedTensors}" : "n/a (steps on worker threads)",
                $"{w.Threads} / {trace.AfterWarmup.Max(s => s.Threads)} / {f.Threads}",
            });
            record.Plots.Add(Plot(trace, key));
        }
        record.Tables.Add(resident);
        record.Tables.Add(other);
        record.Tables.Add(new ReportTable
        {
            Title = "TorchSharp objects freed by their finalizer instead of disposed (should be 0: such an object can be freed while libtorch uses it)",
            Columns = { "run", "finalized TorchSharp objects" },
            Rows = { new() { optimizer.Label, finalizedOptimizer.Item2 }, new() { chain.Label, finalizedChain.Item2 } },
        });
        record.Notes.Add("Every reading follows a full blocking garbage collection with pending finalizers run (GC.Collect, GC.WaitForPendingFinalizers, GC.Collect), so garbage the lazy .NET collector has not yet reclaimed does not count as growth; a growing list or cache, or a tensor still referenced, does.");
        record.Notes.Add("The C heap is trimmed (glibc malloc_trim) once before each run, so the chain run does not start inside the optimizer run's high-water mark; with the galt command's heap tuning freed blocks otherwise stay resident.");
        record.Notes.Add("Finalized TorchSharp objects: tensors, scalars, modules, generators and the like whose finalizer ran during the run, counted from the .NET runtime's FinalizeObject events (Galt.Diagnostics.FinalizedTorchObjects), after the run's objects are released and the finalizers have run.");
        record.Notes.Add("Drift = (largest resident set from the end of warm-up on − resident set at the end of warm-up) / resident set at the end of warm-up.");
        record.Notes.Add("Live tensors: torch.Tensor.TotalCount, all threads. Undisposed tensors: created minus disposed on the sampling (main) thread, TorchSharp's per-thread statistics; a tensor freed by its finalizer stays counted, so a count that grows with the steps is a tensor the step path leaves to the garbage collector. The chain's block and split-variable steps run on worker threads (and the executor disposes on one thread what another made), so the chain has no such count.");
        return record;
    }

    /// <summary>(a) The GaltOptimizer run: a seeded MLP, KL retention constraints on the batched path, <paramref name="steps"/> closure steps.</summary>
    private static MemoryTrace OptimizerRun(int seed, int steps, IProgressSink progress, RunRecord record)
    {
        var trace = NewTrace("GaltOptimizer", steps);
        ProcessMemory.TrimNativeHeap();
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        TorchLifetimes.ManualSeed(seed);
        using var model = new Mlp(Inputs, Hidden, Hidden, Classes);
        using var generator = new Generator((ulong)seed + 11);
        var (x, y) = Data(generator);
        var constraints = Enumerable.Range(0, RetentionConstraints)
            .Select(e => new KlRetentionConstraint($"retain_{e}", model, randn(new long[] { AnchorsPerConstraint, Inputs }, generator: generator)))
            .ToArray();
        try
        {
            using var optimizer = new GaltOptimizer(model.named_parameters(), new GaltOptions { LearningRate = 1e-3 });
            foreach (var c in constraints) optimizer.AddConstraint(c);
            using var batches = Endless(new Random(seed)).GetEnumerator();
            using var bar = progress.Start($"memory: GaltOptimizer, {steps} steps", steps);
            trace.Add(ProcessMemory.Sample(0));
            StepResult? last = null;
            for (int s = 1; s <= steps; s++)
            {
                batches.MoveNext();
                using (NewDisposeScope())
                {
                    var idx = tensor(batches.Current);
                    var xb = x.index_select(0, idx);
                    var yb = y.index_select(0, idx);
                    last = optimizer.Step(() => nn.functional.cross_entropy(model.call(xb), yb));
                }
                if (trace.Due(s)) trace.Add(ProcessMemory.Sample(s));
                bar.Advance(1);
            }
            record.SetSummary("final_loss_optimizer", last!.Loss);
            record.SetSummary("final_max_constraint_optimizer", last.Values.Max());
        }
        finally
        {
            foreach (var c in constraints) c.Dispose();
        }
        trace.Seconds = clock.Elapsed.TotalSeconds;
        return trace;
    }

    /// <summary>(b) The SplitChain run: 3 dense blocks, an external constraint, a threaded executor, <paramref name="steps"/> minibatches.</summary>
    private static MemoryTrace ChainRun(int seed, int steps, IProgressSink progress, RunRecord record)
    {
        // Block and split-variable steps run on the executor's workers, so the sampling thread's counts do not add up.
        var trace = NewTrace("SplitChain", steps, countsUndisposed: false);
        ProcessMemory.TrimNativeHeap();
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        TorchLifetimes.ManualSeed(seed);
        using var network = new BlockChain(new nn.Module<Tensor, Tensor>[] { new DenseBlock(Inputs, Hidden, relu: true), new DenseBlock(Hidden, Hidden, relu: true), new DenseBlock(Hidden, Classes, relu: false) });
        using var generator = new Generator((ulong)seed + 13);
        var (x, y) = Data(generator);
        var forbidden = zeros(SafetyProbes, Classes);
        forbidden[TensorIndex.Colon, Classes - 1] = 1;
        using var safety = new ForbiddenMassConstraint($"forbid_{Classes - 1}", network, randn(new long[] { SafetyProbes, Inputs }, generator: generator), forbidden, margin: 0.05, lseTemperature: 0.005);
        // graph-demo's block settings (GraphDemoTraining.Chain).
        var blockOptions = new GaltOptions { LearningRate = 1e-3, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new Galt.Multipliers.PiDualRule(), Contract = null };
        var blocks = network.Blocks.Select((f, v) => new Block($"block{v}", f, blockOptions)).ToArray();
        try
        {
            using var chain = new SplitChain(blocks, x, y, new SplitChainOptions(), new ThreadedExecutor(2, threadsPerWorker: 1), new Constraint[] { safety });
            using var batches = Endless(new Random(seed)).GetEnumerator();
            using var bar = progress.Start($"memory: SplitChain, {steps} minibatches", steps);
            trace.Add(ProcessMemory.Sample(0));
            for (int s = 1; s <= steps; s++)
            {
                batches.MoveNext();
                chain.TrainBatch(batches.Current);
                if (trace.Due(s)) trace.Add(ProcessMemory.Sample(s));
                bar.Advance(1);
            }
            record.SetSummary("final_max_forward_residual_chain", chain.ForwardResiduals().Max());
            record.SetSummary("final_safety_constraint_chain", safety.Value());
        }
        finally
        {
            foreach (var b in blocks) b.Dispose();
        }
        trace.Seconds = clock.Elapsed.TotalSeconds;
        return trace;
    }

    private static MemoryTrace NewTrace(string label, int steps, bool countsUndisposed = true)
    {
        int every = Math.Max(1, steps / Readings);
        return new MemoryTrace(label, steps, every, (int)Math.Round(steps * WarmupFraction)) { CountsUndisposed = countsUndisposed };
    }

    /// <summary>Seeded synthetic classification data: N(0, 1) inputs, labels the argmax of a random linear teacher.</summary>
    private static (Tensor X, Tensor Y) Data(Generator generator)
    {
        var x = randn(new long[] { Examples, Inputs }, generator: generator);
        var teacher = randn(new long[] { Inputs, Classes }, generator: generator);
        return (x, x.matmul(teacher).argmax(1));
    }

    /// <summary>Minibatches of fresh seeded permutations, epoch after epoch.</summary>
    private static IEnumerable<long[]> Endless(Random order)
    {
        while (true)
            foreach (var batch in SupervisedTrainer.Batches(Examples, Batch, order))
                yield return batch;
    }

    private static void Summarise(RunRecord record, MemoryTrace trace, string key)
    {
        var w = trace.AtWarmupEnd;
        var f = trace.Final;
        record.SetSummary($"rss_mib_warmup_end_{key}", MibValue(w.ResidentBytes));
        record.SetSummary($"rss_mib_max_after_warmup_{key}", MibValue(trace.MaxResidentAfterWarmup));
        record.SetSummary($"rss_mib_final_{key}", MibValue(f.ResidentBytes));
        record.SetSummary($"rss_drift_{key}", trace.Drift);
        record.SetSummary($"rss_flat_{key}", trace.Flat(Tolerance) ? 1 : 0);
        record.SetSummary($"managed_mib_warmup_end_{key}", MibValue(w.ManagedBytes));
        record.SetSummary($"managed_mib_max_after_warmup_{key}", MibValue(trace.MaxManagedAfterWarmup));
        record.SetSummary($"managed_mib_final_{key}", MibValue(f.ManagedBytes));
        if (w.NativeHeapBytes >= 0)
        {
            record.SetSummary($"native_heap_mib_warmup_end_{key}", MibValue(w.NativeHeapBytes));
            record.SetSummary($"native_heap_mib_max_after_warmup_{key}", MibValue(trace.MaxNativeHeapAfterWarmup));
            record.SetSummary($"native_heap_mib_final_{key}", MibValue(f.NativeHeapBytes));
        }
        record.SetSummary($"live_tensors_warmup_end_{key}", w.LiveTensors);
        record.SetSummary($"live_tensors_final_{key}", f.LiveTensors);
        if (trace.CountsUndisposed)
        {
            record.SetSummary($"undisposed_tensors_warmup_end_{key}", w.UndisposedTensors);
            record.SetSummary($"undisposed_tensors_final_{key}", f.UndisposedTensors);
        }
        record.SetSummary($"threads_warmup_end_{key}", w.Threads);
        record.SetSummary($"threads_final_{key}", f.Threads);
        record.SetSummary($"steps_{key}", trace.Steps);
    }

    private static PlotSpec Plot(MemoryTrace trace, string key)
    {
        List<double> Steps(IEnumerable<MemorySample> samples) => samples.Select(s => (double)s.Step).ToList();
        var plot = new PlotSpec
        {
            File = $"rss_{key}.png", Title = $"{trace.Label}: memory over {trace.Steps} steps (warm-up: first {trace.WarmupSteps})", XLabel = "step", YLabel = "MiB",
            Lines =
            {
                new PlotLine { Label = "resident set", X = Steps(trace.Samples), Y = trace.Samples.Select(s => MibValue(s.ResidentBytes)).ToList() },
                new PlotLine { Label = "managed heap", X = Steps(trace.Samples), Y = trace.Samples.Select(s => MibValue(s.ManagedBytes)).ToList() },
                new PlotLine
                {
                    Label = $"resident set at warm-up end + {Tolerance:P0}", X = new() { trace.WarmupSteps, trace.Steps },
                    Y = Enumerable.Repeat(MibValue(trace.AtWarmupEnd.ResidentBytes) * (1 + Tolerance), 2).ToList(),
                },
            },
        };
        if (trace.AtWarmupEnd.NativeHeapBytes >= 0)
            plot.Lines.Insert(1, new PlotLine { Label = "C heap in use", X = Steps(trace.Samples), Y = trace.Samples.Select(s => MibValue(s.NativeHeapBytes)).ToList() });
        return plot;
    }

    private static double MibValue(long bytes) => bytes / (1024.0 * 1024.0);

    private static string Mib(long bytes) => MibValue(bytes).ToString("0.0", CultureInfo.InvariantCulture);
}
