using System.Diagnostics;
using Galt.Constraints;
using Galt.Jacobians;
using Galt.Models;
using Galt.Reporting;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// <c>galt bench jacobians</c>: k = 32 retention constraints of 16 examples each on the Split-MNIST LoRA MLP (base frozen):
/// the batched path (one forward, one backward, per-layer assembly), the autograd path (one backward per constraint)
/// and one ordinary backward pass over the same 512 examples. Summary keys <c>ratio_k32_mlp</c> (batched / one backward)
/// and <c>speedup_vs_autograd_mlp</c>. (The transformer half of issue 5 is not built yet.)
/// </summary>
public sealed class JacobiansBenchmark : IRunnable
{
    /// <inheritdoc />
    public string Name => "jacobians";

    /// <inheritdoc />
    public string Description => "Constraint Jacobians: batched path vs autograd vs one backward, k = 32 × 16 examples, LoRA MLP (summary ratio_k32_mlp, speedup_vs_autograd_mlp).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        const int k = 32, perConstraint = 16;
        int warmup = context.Quick ? 1 : 3, repeats = context.Quick ? 3 : 15;
        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Constraint Jacobians at the cost of one backward pass", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["model"] = "784-256-128-10 MLP, rank-4 LoRA, base frozen (trainable: LoRA A/B, head)";
        record.Config["constraints"] = $"{k} KL retention constraints × {perConstraint} examples (random inputs)";
        record.Config["warmup"] = warmup;
        record.Config["repeats"] = repeats;

        using var scope = NewDisposeScope();
        random.manual_seed(context.Seed);
        var model = new LoraMlp();
        var generator = new Generator((ulong)context.Seed + 1);
        var constraints = Enumerable.Range(0, k).Select(e => new KlRetentionConstraint($"c{e}", model, randn(new long[] { perConstraint, 784 }, generator: generator))).ToArray();
        using (no_grad()) foreach (var p in model.parameters()) p.add_(randn(p.shape, generator: generator) * 0.01);
        model.FreezeBase();
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var all = cat(constraints.Select(c => c.Inputs).ToArray());
        var labels = randint(0, 10, new long[] { all.shape[0] }, generator: generator);

        using var task = context.Progress.Start("Benchmark jacobians", 3 * (warmup + repeats));
        double batched = Time(warmup, repeats, () => { foreach (var e in BatchedJacobians.Evaluate(constraints, parameters)) e.Dispose(); }, task);
        double autograd = Time(warmup, repeats, () => { foreach (var c in constraints) AutogradJacobians.Evaluate(c, parameters).Dispose(); }, task);
        double backward = Time(warmup, repeats, () => autograd_grad(nn.functional.cross_entropy(model.call(all), labels), parameters), task);

        record.SetSummary("batched_ms_mlp", batched);
        record.SetSummary("autograd_ms_mlp", autograd);
        record.SetSummary("one_backward_ms_mlp", backward);
        record.SetSummary("ratio_k32_mlp", batched / backward);
        record.SetSummary("speedup_vs_autograd_mlp", autograd / batched);
        record.Tables.Add(new ReportTable
        {
            Title = "Median time (ms)", Columns = { "path", "ms", "vs one backward" },
            Rows =
            {
                new() { "batched (one forward + one backward + assembly)", MarkdownReport.FormatNumber(batched), MarkdownReport.FormatNumber(batched / backward) },
                new() { $"autograd ({k} backward passes)", MarkdownReport.FormatNumber(autograd), MarkdownReport.FormatNumber(autograd / backward) },
                new() { $"one ordinary backward over {k * perConstraint} examples", MarkdownReport.FormatNumber(backward), "1" },
            },
        });
        record.Notes.Add("The transformer-encoder half of this benchmark (ratio_k32_transformer) is not built yet.");
        foreach (var c in constraints) c.Dispose();
        return record;
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
