using System.Diagnostics;
using Galt.Models;
using Galt.Optim;
using Galt.Experiments.Reporting;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>
/// Cost of one ordinary training step (forward, backward, Adam update) of the 784-256-128-10 MLP at batch 128:
/// the unit every GALT overhead is measured against. Random inputs; no data needed.
/// </summary>
public sealed class AdamStepBenchmark : IRunnable
{
    /// <inheritdoc />
    public string Name => "adam-step";

    /// <inheritdoc />
    public string Description => "Milliseconds per Adam training step of the 784-256-128-10 MLP at batch 128 (summary key adam_step_ms_median).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        int warmup = context.Quick ? 3 : 20, iterations = context.Quick ? 20 : 200, batch = 128;
        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Adam step time, 784-256-128-10 MLP", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["batch_size"] = batch;
        record.Config["warmup_steps"] = warmup;
        record.Config["measured_steps"] = iterations;
        // Galt's ExplicitAdam: TorchSharp's Adam arithmetic (bit-identical) with its Scalars disposed, what Galt trains with.
        record.Config["optimizer"] = "Galt.Optim.ExplicitAdam (lr 1e-3)";

        TorchLifetimes.ManualSeed(context.Seed);
        using var model = new Mlp(784, 256, 128, 10);
        using var optimizer = new ExplicitAdam(model.parameters(), 1e-3);
        using var x = randn(batch, 784);
        using var y = randint(0, 10, new long[] { batch });
        var times = new List<double>(iterations);
        using (var task = context.Progress.Start($"Benchmark {Name}", warmup + iterations))
        {
            for (int i = 0; i < warmup + iterations; i++)
            {
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    var loss = nn.functional.cross_entropy(model.forward(x), y);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                }
                if (i >= warmup) times.Add(clock.Elapsed.TotalMilliseconds);
                task.Advance(1);
            }
        }
        var sorted = times.OrderBy(t => t).ToArray();
        record.SetSummary("adam_step_ms_median", sorted[sorted.Length / 2]);
        record.SetSummary("adam_step_ms_p90", sorted[(int)(0.9 * (sorted.Length - 1))]);
        record.SetSummary("adam_step_ms_min", sorted[0]);
        record.TimingsSeconds["total"] = times.Sum() / 1000;
        record.Plots.Add(new PlotSpec
        {
            File = "step_times.png", Title = "Adam step time per iteration", XLabel = "iteration", YLabel = "ms",
            Lines = { new PlotLine { Label = "step", X = Enumerable.Range(1, times.Count).Select(i => (double)i).ToList(), Y = times } },
        });
        return record;
    }
}
