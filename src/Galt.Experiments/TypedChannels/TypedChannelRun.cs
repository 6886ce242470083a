using System.Diagnostics;
using Galt.Channels;
using Galt.Continual;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.TypedChannels;

/// <summary>
/// Trains and evaluates one configuration for one seed: a fresh carrier from the factory, the teacher distribution
/// softmax(dense scores / 1.5) of the unwrapped carrier on every training item, the routed carrier initialised from the
/// seed, the pre-training row, the block-local loop (spec §5.4), the full post-training evaluation (spec §5.6) and the
/// success checks.
/// </summary>
public static class TypedChannelRun
{
    /// <summary>Runs <paramref name="config"/> on <paramref name="data"/> for <paramref name="seed"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="data">The seed's data.</param>
    /// <param name="carrierFactory">A fresh carrier (pretrained weights, fresh adapters) for a seed; the run disposes it when it is disposable.</param>
    /// <param name="seed">Seeds the carrier's adapters, the routed carrier's policy modules and torch.</param>
    /// <param name="blockSize">Carrier layers per macro-block.</param>
    /// <param name="steps">Training steps; null = the configuration's.</param>
    /// <param name="progress">Progress of the steps.</param>
    /// <param name="cache">The untrained carrier's scores shared by the configurations of a seed (keys name the data), or null.</param>
    public static TypedChannelOutcome Run(TypedChannelConfig config, TypedChannelData data, Func<int, IBlockCarrier<IReadOnlyList<string>>> carrierFactory, int seed, int blockSize,
        int? steps, IProgressSink progress, BaseScoreCache? cache = null)
    {
        var total = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        TorchLifetimes.ManualSeed(seed);
        var carrier = carrierFactory(seed);
        using var carrierLease = carrier as IDisposable;
        var loop = config.Loop(steps);
        using var routed = new RoutedCarrier(carrier, config.Carrier(blockSize), seed);
        var evaluator = new ChannelEvaluator(routed);
        Tensor Cached(string key, Func<Tensor> compute) => cache is null ? compute() : cache.Get(seed, key, compute);
        var teacher = Cached($"teacher.{data.TaskTrain.Count}", () => evaluator.DenseScores(data.TaskTrain).Over(loop.Temperature).softmax(-1));
        var evaluateClock = Stopwatch.StartNew();
        // Before training the carrier is the pretrained one (LoRA B = 0) in every configuration: its dense scores are shared.
        var preDense = routed.Options.BaseChoiceScale == 0 ? null : new[]
        {
            Cached($"dense.task.{data.TaskEval.Count}", () => evaluator.DenseScores(data.TaskEval)),
            Cached("dense.safety", () => evaluator.DenseScores(data.SafetyEval)),
            Cached($"dense.retain.{config.RetainSet}", () => evaluator.DenseScores(data.RetainEval)),
        };
        var pre = evaluator.Evaluate(data.TaskEval, data.SafetyEval, data.RetainEval, full: false, dense: preDense);
        evaluateClock.Stop();
        using var constraints = new ChannelConstraints(routed, data.TaskTrain[0], data.SafetyReplay, data.RetainReplay, loop.Temperature);
        using var objective = new TypedChannelObjective(routed, config.Loss);
        using var trainer = new BlockLocalChannelTrainer(routed, objective, constraints, loop);
        var records = new List<ChannelStepRecord>();
        var trainClock = Stopwatch.StartNew();
        using (var bar = progress.Start($"{config.Name}, seed {seed}", loop.Steps))
            for (int s = 0; s < loop.Steps; s++)
            {
                int i = s % data.TaskTrain.Count;
                records.Add(trainer.Step(s, data.TaskTrain[i], teacher[i], data.SafetyReplay, data.RetainReplay));
                bar.Describe($"{config.Name}, seed {seed}: step {s + 1}/{loop.Steps}, loss {records[^1].Loss:0.000}");
                bar.Advance(1);
            }
        trainClock.Stop();
        evaluateClock.Start();
        var post = evaluator.Evaluate(data.TaskEval, data.SafetyEval, data.RetainEval, full: true);
        evaluateClock.Stop();
        int policies = routed.Options.Policies;
        var checks = new SortedDictionary<string, bool>(StringComparer.Ordinal)
        {
            ["all_step_scalars_finite"] = records.All(r => r.AllFinite),
            ["every_block_has_forward_and_task_gradient"] = Enumerable.Range(0, routed.Blocks).All(b =>
                records.Any(r => r.Blocks[b].TaskGradientNorm > 0) && records.Any(r => r.Blocks[b].RouteForwardGradientNorm > 0)),
            ["forward_targets_refreshed"] = constraints.Refreshes >= 1,
            ["min_d_over_k_at_least_10"] = trainer.ParameterCounts.Min() / (double)policies >= 10,
            ["route_acc_above_chance"] = post["route_acc"] > 1.0 / policies,
            ["task_zero_gap_positive"] = post["task_zero_gap"] > 0,
            ["task_scramble_gap_positive"] = post["task_scramble_gap"] > 0,
        };
        return new TypedChannelOutcome(config.Name, seed, pre, post, records, checks, trainer.ParameterCounts, constraints.Refreshes,
            (total.Elapsed.TotalSeconds, trainClock.Elapsed.TotalSeconds, evaluateClock.Elapsed.TotalSeconds));
    }
}
