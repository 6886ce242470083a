using System.Diagnostics;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Models;
using Galt.Experiments.Reporting;
using Galt.Continual;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// <c>galt bench jacobians</c>: k = 32 retention constraints of 16 examples each on the Split-MNIST LoRA MLP (base frozen):
/// the batched path (one forward, one backward, per-layer assembly), the autograd path (one backward per constraint)
/// and one ordinary backward pass over the same 512 examples. Summary keys <c>ratio_k32_mlp</c> (batched / one backward)
/// and <c>speedup_vs_autograd_mlp</c>; the same on a 2-layer transformer encoder (d_model 128, 4 heads, sequence 32):
/// <c>ratio_k32_transformer</c>, <c>speedup_vs_autograd_transformer</c>.
/// </summary>
public sealed class JacobiansBenchmark : IRunnable
{
    /// <inheritdoc />
    public string Name => "jacobians";

    /// <inheritdoc />
    public string Description => "Constraint Jacobians: batched vs autograd vs one backward, k = 32 × 16 examples, LoRA MLP and transformer (summary ratio_k32_mlp/_transformer).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        const int k = 32, perConstraint = 16;
        int warmup = context.Quick ? 1 : 3, repeats = context.Quick ? 3 : 15;
        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Constraint Jacobians at the cost of one backward pass", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["mlp"] = "784-256-128-10 MLP, rank-4 LoRA, base frozen (trainable: LoRA A/B, head)";
        record.Config["constraints"] = $"{k} KL retention constraints × {perConstraint} examples (random inputs)";
        record.Config["warmup"] = warmup;
        record.Config["repeats"] = context.Quick ? $"{repeats}" : $"{4 * repeats} (MLP), {repeats} (transformer)";

        using var task = context.Progress.Start("Benchmark jacobians", 3 * (warmup + repeats) + 3 * (warmup + (context.Quick ? repeats : 4 * repeats)));
        using var generator = new Generator((ulong)context.Seed + 1);
        TorchLifetimes.ManualSeed(context.Seed);
        using var mlp = new LoraMlp();
        // The MLP's passes take milliseconds and this machine's timings wander, so it gets more repeats.
        Measure(record, "mlp", mlp, () => randn(new long[] { perConstraint, 784 }, generator: generator), k, warmup, context.Quick ? repeats : 4 * repeats, task, freeze: () => mlp.FreezeBase());
        TorchLifetimes.ManualSeed(context.Seed);
        using var transformer = new TransformerClassifier(vocabulary: 1000, maxLength: 32, modelWidth: 128, heads: 4, layers: 2, classes: 10);
        Measure(record, "transformer", transformer, () => randint(0, 1000, new long[] { perConstraint, 32 }, generator: generator), k, warmup, repeats, task, freeze: null);
        record.Config["transformer"] = "2-layer pre-norm encoder, d_model 128, 4 heads, sequence 32, vocabulary 1000, attention from Linear layers; all parameters trainable";
        return record;
    }

    private static void Measure(RunRecord record, string label, nn.Module<Tensor, Tensor> model, Func<Tensor> examples, int k, int warmup, int repeats, IProgressTask task, Action? freeze)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(99);
        var constraints = Enumerable.Range(0, k).Select(e => new KlRetentionConstraint($"c{e}", model, examples())).ToArray();
        using (no_grad()) foreach (var p in model.parameters()) p.PlusInPlace(randn(p.shape, generator: generator).Times(0.01));
        freeze?.Invoke();
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var all = cat(constraints.Select(c => c.Inputs).ToArray());
        var labels = randint(0, 10, new long[] { all.shape[0] }, generator: generator);

        double batched = Time(warmup, repeats, () => { foreach (var e in BatchedJacobians.Evaluate(constraints, parameters)) e.Dispose(); }, task);
        double autograd = Time(warmup, repeats, () => { foreach (var c in constraints) AutogradJacobians.Evaluate(c, parameters).Dispose(); }, task);
        double backward = Time(warmup, repeats, () => autograd_grad(nn.functional.cross_entropy(model.call(all), labels), parameters), task);

        record.SetSummary($"batched_ms_{label}", batched);
        record.SetSummary($"autograd_ms_{label}", autograd);
        record.SetSummary($"one_backward_ms_{label}", backward);
        record.SetSummary($"ratio_k32_{label}", batched / backward);
        record.SetSummary($"speedup_vs_autograd_{label}", autograd / batched);
        record.Tables.Add(new ReportTable
        {
            Title = $"{label}: median time (ms)", Columns = { "path", "ms", "vs one backward" },
            Rows =
            {
                new() { "batched (one forward + one backward + assembly)", MarkdownReport.FormatNumber(batched), MarkdownReport.FormatNumber(batched / backward) },
                new() { $"autograd ({k} backward passes)", MarkdownReport.FormatNumber(autograd), MarkdownReport.FormatNumber(autograd / backward) },
                new() { $"one ordinary forward + backward over {all.shape[0]} examples", MarkdownReport.FormatNumber(backward), "1" },
            },
        });
        foreach (var c in constraints) c.Dispose();
    }

    private static void autograd_grad(Tensor loss, TorchSharp.Modules.Parameter[] parameters) =>
        autograd.grad(new[] { loss }, parameters.Cast<Tensor>().ToArray());

    private static double Time(int warmup, int repeats, Action action, IProgressTask task)
    {
        var times = new List<double>();
        for (int r = 0; r < warmup + repeats; r++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            action();
            if (r >= warmup) times.Add(clock.Elapsed.TotalMilliseconds);
            task.Advance(1);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
