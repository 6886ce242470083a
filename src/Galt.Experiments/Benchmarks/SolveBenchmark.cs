using System.Diagnostics;
using Galt;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Optim;
using Galt.Experiments.Reporting;
using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// <c>galt bench solve</c>: the cost of one GaltOptimizer step's algebra (Adam metric, forces, low-rank solve, write,
/// multiplier updates; everything except computing gradients, Jacobians and the step contract's measurement) against
/// one TorchSharp AdamW step, on
/// d = 1,000,000 parameters in four tensors with k ∈ {1, 4, 16} constraints. Summary keys <c>step_overhead_k1</c>,
/// <c>step_overhead_k4</c>, <c>step_overhead_k16</c> (median GALT step time / median AdamW step time) for the default
/// step (the fused CPU kernels), and <c>step_overhead_tensor_k…</c> for the same optimizer on the tensor path
/// (<see cref="StepKernel.Tensor"/>), measured in the same loop so that the two compare under the same load; and the
/// fused step against the memory floor: <c>bytes_per_step_k…</c>, the bandwidth it implies (<c>bandwidth_gbs_k…</c>),
/// a parallel copy of the same bytes (<c>copy_bandwidth_gbs_k…</c>) and the ratio (<c>floor_share_k…</c>); and where the
/// fused step's time goes (<see cref="StepResult.PassTimes"/>): <c>pass_moments_ms_k…</c>, <c>pass_gram_ms_k…</c>,
/// <c>pass_write_ms_k…</c> and <c>rest_ms_k…</c> (the step less its sweeps), medians over the timed steps.
/// </summary>
public sealed class SolveBenchmark : IRunnable
{
    /// <summary>Parameter tensor shapes: 500,000 + 250,000 + 249,000 + 1,000 = 1,000,000 values.</summary>
    public static readonly long[][] Shapes = { new long[] { 500, 1000 }, new long[] { 1000, 250 }, new long[] { 249, 1000 }, new long[] { 1000 } };

    /// <summary>
    /// Untimed steps before the timed ones: enough for .NET's tiered JIT to replace the first, unoptimised code of the
    /// step's bookkeeping (promoted after 30 calls, compiled in the background), so the figures are the steady-state cost
    /// that a training run pays for thousands of steps. With 3 (the count before the fused step's chunked sweeps) the k = 4 ratio
    /// read 0.25–0.5 higher in three side-by-side pairs.
    /// </summary>
    public const int WarmupSteps = 40;

    /// <summary>Constraint counts measured.</summary>
    public static readonly int[] ConstraintCounts = { 1, 4, 16 };

    /// <inheritdoc />
    public string Name => "solve";

    /// <inheritdoc />
    public string Description => "GaltOptimizer step algebra vs one AdamW step, d = 1,000,000 in 4 tensors, k = 1, 4, 16 (summary step_overhead_k1/k4/k16; the tensor path beside it).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        int warmup = context.Quick ? 1 : WarmupSteps, repeats = context.Quick ? 3 : 15;
        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Cost of the GALT step algebra against AdamW", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["parameters"] = 1_000_000;
        record.Config["tensor_shapes"] = string.Join(" + ", Shapes.Select(s => "[" + string.Join("x", s) + "]"));
        record.Config["warmup_steps"] = warmup;
        record.Config["measured_steps"] = repeats;
        record.Config["dtype"] = "float32";
        record.Config["galt_options"] = "defaults (lr 2e-4, wd 0.01, ρ_a 0.1, K_in 5, global Woodbury), all constraints violated";
        record.Config["adamw"] = "TorchSharp optim.AdamW (lr 2e-4, wd 0.01), gradients set once";
        record.Config["openmp_spin"] = OpenMpSpin();
        record.Config["kernels"] = "GALT step: fused CPU kernels (the default) and the tensor path, interleaved with AdamW";
        var clock = Stopwatch.StartNew();

        var table = new ReportTable { Title = "Median step time", Columns = { "k", "GALT step ms", "AdamW step ms", "ratio", "GALT tensor path ms", "tensor ratio" } };
        var passes = new ReportTable { Title = "Where the fused step's time goes: medians of its three memory sweeps and of the rest (checks, the k×k solve, the multiplier rule), ms", Columns = { "k", "moments", "Gram", "write", "rest", "step" } };
        var floor = new ReportTable { Title = "The fused step against the memory floor: bytes its passes must move, the bandwidth that implies, and a parallel copy of the same bytes on this machine", Columns = { "k", "MB per step", "implied GB/s", "copy GB/s", "copy ms", "share of copy bandwidth" } };
        using var task = context.Progress.Start("Benchmark solve", (ConstraintCounts.Length + 1) * (warmup + repeats) * 3);
        using var generator = new Generator((ulong)context.Seed + 1);
        foreach (int k in ConstraintCounts.Prepend(0))
        {
            var (galtMs, tensorMs, adamMs, pass) = Measure(k, warmup, repeats, generator, () => task.Advance(3));
            double ratio = galtMs / adamMs, tensorRatio = tensorMs / adamMs;
            table.Rows.Add(new() { k.ToString(), MarkdownReport.FormatNumber(galtMs), MarkdownReport.FormatNumber(adamMs), MarkdownReport.FormatNumber(ratio),
                MarkdownReport.FormatNumber(tensorMs), MarkdownReport.FormatNumber(tensorRatio) });
            record.SetSummary($"step_overhead_k{k}", ratio);
            record.SetSummary($"galt_step_ms_k{k}", galtMs);
            record.SetSummary($"adamw_step_ms_k{k}", adamMs);
            record.SetSummary($"step_overhead_tensor_k{k}", tensorRatio);
            record.SetSummary($"galt_tensor_step_ms_k{k}", tensorMs);
            record.SetSummary($"pass_moments_ms_k{k}", pass.Moments);
            record.SetSummary($"pass_gram_ms_k{k}", pass.Gram);
            record.SetSummary($"pass_write_ms_k{k}", pass.Write);
            record.SetSummary($"rest_ms_k{k}", pass.Others);
            passes.Rows.Add(new() { k.ToString(), MarkdownReport.FormatNumber(pass.Moments), MarkdownReport.FormatNumber(pass.Gram), MarkdownReport.FormatNumber(pass.Write),
                MarkdownReport.FormatNumber(pass.Others), MarkdownReport.FormatNumber(galtMs) });
            long bytes = FusedBytesPerStep(k);
            double copyMs = CopyMilliseconds(bytes, warmup, repeats);
            double implied = bytes / (galtMs * 1e6), copy = bytes / (copyMs * 1e6);
            record.SetSummary($"bytes_per_step_k{k}", bytes);
            record.SetSummary($"bandwidth_gbs_k{k}", implied);
            record.SetSummary($"copy_bandwidth_gbs_k{k}", copy);
            record.SetSummary($"floor_share_k{k}", implied / copy);
            floor.Rows.Add(new() { k.ToString(), MarkdownReport.FormatNumber(bytes / 1e6), MarkdownReport.FormatNumber(implied), MarkdownReport.FormatNumber(copy),
                MarkdownReport.FormatNumber(copyMs), MarkdownReport.FormatNumber(implied / copy) });
        }
        record.Tables.Add(table);
        record.Tables.Add(passes);
        record.Tables.Add(floor);
        record.Notes.Add("Bytes per step count what the fused passes must read and write per float32 element (a lower bound: each byte once per pass, "
            + "none of the chunk bookkeeping): pass 1 reads g, m, v and writes m′, v′ (5); pass 2, with constraints, reads m′, v′, the anchor, θ and the k rows (4 + k); "
            + "pass 3 reads m′, v′, the anchor, θ and the k rows and writes θ (5 + k). The copy moves the same bytes (half read, half written) with the same two-way "
            + "parallel split: a step at share 1.0 would run at the machine's copy bandwidth.");
        record.Notes.Add("k = 0 is GaltOptimizer with no constraint (its Adam path and anchor alone), for reference.");
        record.TimingsSeconds["total"] = clock.Elapsed.TotalSeconds;
        return record;
    }

    private static (double GaltMs, double TensorMs, double AdamMs, (double Moments, double Gram, double Write, double Others) Passes) Measure(int k, int warmup,
        int repeats, Generator generator, Action onStep)
    {
        using var scope = NewDisposeScope();
        var galtParams = Shapes.Select(s => new Parameter(randn(s, generator: generator))).ToArray();
        var tensorParams = galtParams.Select(p => new Parameter(p.DetachedClone())).ToArray();
        var adamParams = galtParams.Select(p => new Parameter(p.DetachedClone())).ToArray();
        var grads = galtParams.Select(p => (Tensor?)randn(p.shape, generator: generator)).ToArray();
        var evaluations = Enumerable.Range(0, k)
            .Select(i => new ConstraintEvaluation($"c{i}", 0.01 * (i + 1), galtParams.Select(p => (Tensor?)randn(p.shape, generator: generator)).ToArray()))
            .ToArray();

        using var galt = Optimizer(galtParams, k, StepKernel.Fused);
        using var tensor = Optimizer(tensorParams, k, StepKernel.Tensor);
        using var adamW = optim.AdamW(adamParams, 2e-4, weight_decay: 0.01);
        // Gradients set once by one backward pass, outside the timing, so AdamW's step is measured alone like GALT's.
        adamParams.Zip(grads).Select(pg => (pg.First * pg.Second!).sum()).Aggregate((a, b) => a.Plus(b)).backward();

        var galtTimes = new List<double>();
        var (moments, gram, write, rest) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var tensorTimes = new List<double>();
        var adamTimes = new List<double>();
        for (int r = 0; r < warmup + repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            var step = galt.Step(grads, evaluations);
            double g = clock.Elapsed.TotalMilliseconds;
            var times = step.PassTimes ?? throw new InvalidOperationException($"the fused step did not write the k = {k} step (the tensor path did): nothing to time per pass.");
            clock.Restart();
            tensor.Step(grads, evaluations);
            double t = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            // The baseline is TorchSharp's own AdamW (its speed, Scalars and all), not Galt.Optim.ExplicitAdamW: the ratio
            // is GALT's step against the library optimizer. Its undisposed Scalars are a risk this short run accepts.
#pragma warning disable GALT0003
            adamW.step();
#pragma warning restore GALT0003
            double a = clock.Elapsed.TotalMilliseconds;
            if (r >= warmup)
            {
                galtTimes.Add(g); tensorTimes.Add(t); adamTimes.Add(a);
                moments.Add(times.MomentsSeconds * 1e3); gram.Add(times.GramSeconds * 1e3); write.Add(times.WriteSeconds * 1e3);
                rest.Add(g - times.TotalSeconds * 1e3);
            }
            onStep();
        }
        return (Median(galtTimes), Median(tensorTimes), Median(adamTimes), (Median(moments), Median(gram), Median(write), Median(rest)));
    }

    /// <summary>Bytes the fused passes must move for one step over <see cref="Shapes"/> with k constraint rows (see the report's note).</summary>
    public static long FusedBytesPerStep(int k)
    {
        long elements = Shapes.Sum(shape => shape.Aggregate(1L, (a, b) => a * b));
        int perElement = 5 + (k > 0 ? 4 + k : 0) + 5 + k;
        return elements * perElement * sizeof(float);
    }

    /// <summary>Median milliseconds of copying <paramref name="bytes"/>/2 bytes into another buffer in two parallel halves (read + write = <paramref name="bytes"/>).</summary>
    private static double CopyMilliseconds(long bytes, int warmup, int repeats)
    {
        int n = (int)(bytes / 2 / sizeof(float));
        var source = new float[n];
        var target = new float[n];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.AsSpan()));
        int parts = Math.Max(1, Environment.ProcessorCount);
        var times = new List<double>();
        for (int r = 0; r < warmup + repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, parts, part =>
            {
                int start = (int)((long)n * part / parts), end = (int)((long)n * (part + 1) / parts);
                source.AsSpan(start, end - start).CopyTo(target.AsSpan(start, end - start));
            });
            if (r >= warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    /// <summary>The OpenMP spin setting the run's libtorch threads read (see <see cref="ThreadTuning"/>).</summary>
    internal static string OpenMpSpin() => Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { } spin ? $"GOMP_SPINCOUNT={spin}"
        : Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { } policy ? $"OMP_WAIT_POLICY={policy}" : "libgomp's default";

    private static GaltOptimizer Optimizer(Parameter[] parameters, int k, StepKernel kernel)
    {
        // The step's algebra alone: the contract's one measurement per step is a forward pass over the constraints' data,
        // which these synthetic rows do not have (galt bench constraints counts it on real models).
        var optimizer = new GaltOptimizer(parameters.Select((p, i) => ($"p{i}", p)), new GaltOptions { Kernel = kernel, Contract = null });
        for (int i = 0; i < k; i++) optimizer.AddConstraint($"c{i}", ConstraintKind.Inequality);
        return optimizer;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
