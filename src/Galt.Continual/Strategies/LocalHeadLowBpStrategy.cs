using Galt.Tensors;
using System.Globalization;
using Galt.Jacobians;
using Galt.Models;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// The release's low-BP hybrid for a layered model with no block-local structure (spec §4 "SfB-AVBD-Hessian-LowBP"):
/// local heads Linear(state → classes) read the model's states (<see cref="ILayerStates"/>) at <see cref="HeadCount"/>
/// layers spread from the first to the last (round(i·(n−1)/(count−1))), with no stop-gradient, and a refresh scheduler
/// (period 6, trigger 0.5) picks each step:
/// <list type="bullet">
/// <item><b>global</b>: loss = CE(output) + Σ_l CE(head_l) + <see cref="DistillWeight"/>·T²·KL(softmax(output/T) ‖ softmax(head_l/T))
/// (the output's distribution is the teacher: detached); the active set (<see cref="ConstrainedOptimizerOptions.ActiveSet"/>)
/// is re-chosen and the chosen constraints' Jacobians recomputed and cached; the multipliers update;</item>
/// <item><b>local</b>: loss = Σ_l CE(head_l) on a forward pass that stops at the deepest head (no output scoring); the
/// constraints enter with fresh values and their cached (stale) Jacobians, so the multipliers hold.</item>
/// </list>
/// A global step is forced whenever a constraint has no cached Jacobian (its first step). Local heads train with their
/// own Adam. What this saves is the constraint Jacobians: one backward per active constraint on global steps only.
/// </summary>
public sealed class LocalHeadLowBpStrategy : ConstrainedStrategy
{

    private readonly Dictionary<string, Tensor?[]> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _stale = new(StringComparer.Ordinal);
    private Linear[] _heads = Array.Empty<Linear>();
    private int[] _headLayers = Array.Empty<int>();
    private optim.Optimizer? _headAdam;
    private RefreshScheduler _scheduler = new();

    /// <summary>The optimizer settings (the release's, as for <c>galt_hessian</c>).</summary>
    public AlHessianOptions Options { get; init; } = GaltHessianStrategy.SplitMnistOptions;

    /// <summary>Scheduler settings (spec §4: period 6, trigger 0.5).</summary>
    public RefreshSchedule Schedule { get; init; } = new(RefreshPeriod: 6, Trigger: 0.5);

    /// <summary>Local heads (spec §4: 2, the first and last layer).</summary>
    public int HeadCount { get; init; } = 2;

    /// <summary>Weight of the heads' distillation toward the output on global steps (spec §4: 0.25).</summary>
    public double DistillWeight { get; init; } = 0.25;

    /// <summary>Temperature of that distillation.</summary>
    public double DistillTemperature { get; init; } = 1.5;

    /// <summary>Learning rate of the local heads' Adam.</summary>
    public double HeadLearningRate { get; init; } = 1e-3;

    /// <summary>The name in reports (default <c>lowbp_heads</c>).</summary>
    public string StrategyName { get; init; } = "lowbp_heads";

    /// <inheritdoc />
    public override string Name => StrategyName;

    /// <summary>Global/local step counts of the scheduler.</summary>
    public RefreshScheduler Scheduler => _scheduler;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters
    {
        get
        {
            var h = GaltHessianStrategy.HessianHyperparameters(Options, Anchors, RestorationBeyondDescription(Schedule.Trigger));
            h["from_birth"] = BirthDescription;
            h["refresh"] = $"period {Schedule.RefreshPeriod}, trigger {Schedule.Trigger.ToString(CultureInfo.InvariantCulture)}";
            h["local_heads"] = $"{HeadCount} × Linear(state → classes) on layers {string.Join(", ", _headLayers)}, Adam lr {HeadLearningRate.ToString(CultureInfo.InvariantCulture)}, "
                + $"distill {DistillWeight.ToString(CultureInfo.InvariantCulture)}·T²·KL at T {DistillTemperature.ToString(CultureInfo.InvariantCulture)}";
            h["global_ratio"] = _scheduler.GlobalRatio.ToString("0.###", CultureInfo.InvariantCulture);
            return h;
        }
    }

    /// <inheritdoc />
    protected override ConstrainedOptimizer CreateOptimizer()
    {
        if (Model is not ILayerStates layered)
            throw new NotSupportedException($"{Name} reads the model's layer states through local heads, so the model must implement Galt.Models.ILayerStates; got {Model.GetType().Name}.");
        if (HeadCount < 1 || HeadCount > layered.StateLayerCount)
            throw new ArgumentException($"{Name}: HeadCount must be in 1..{layered.StateLayerCount} (the model's layers); got {HeadCount}.");
        if (!(DistillWeight >= 0) || !(DistillTemperature > 0) || !(HeadLearningRate > 0))
            throw new ArgumentException($"{Name}: distill weight ≥ 0, temperature > 0 and head learning rate > 0 needed; got {DistillWeight}, {DistillTemperature}, {HeadLearningRate}.");
        int n = layered.StateLayerCount;
        _headLayers = HeadCount == 1 ? new[] { n - 1 }
            : Enumerable.Range(0, HeadCount).Select(i => (int)Math.Round(i * (n - 1.0) / (HeadCount - 1), MidpointRounding.AwayFromZero)).ToArray();
        _heads = _headLayers.Select(_ => nn.Linear(layered.StateWidth, layered.OutputWidth)).ToArray();
        _headAdam = new ExplicitAdam(_heads.SelectMany(h => h.parameters()), HeadLearningRate);
        _scheduler = new RefreshScheduler(Schedule);
        return new AlHessianOptimizer(Trainable, Options);
    }

    private ILayerStates Layered => (ILayerStates)Model;

    /// <inheritdoc />
    public override void Step(Tensor x, Tensor y, TaskContext context)
    {
        using var scope = NewDisposeScope();
        var all = Optimizer.Constraints;
        var objects = Optimizer.ConstraintObjects.Select((c, i) => c ?? throw new InvalidOperationException(
            $"{Name}: constraint '{all[i].Name}' was registered by name only; the low-BP hybrid evaluates constraint objects.")).ToArray();
        var values = ValuesRestoredBeyond(Schedule.Trigger, () => objects.Select(c => c.Value()).ToArray(), context);
        bool global = _scheduler.NeedsRefresh(values) | all.Any(s => !_cache.ContainsKey(s.Name));
        var parameters = Trainable.Select(p => p.Parameter).ToArray();
        Tensor loss;
        if (global)
        {
            var (output, states) = Layered.ForwardWithStates(x, _headLayers);
            loss = context.Objective.Loss(output, y);
            var teacher = output.detach().Over(DistillTemperature).log_softmax(-1);
            for (int h = 0; h < _heads.Length; h++)
            {
                var logits = _heads[h].forward(states[h]);
                var student = logits.Over(DistillTemperature).log_softmax(-1);
                var kl = (teacher.exp() * (teacher - student)).sum(-1).mean().Times(DistillTemperature * DistillTemperature);
                loss = loss.Plus(context.Objective.Loss(logits, y)).Plus(kl.Times(DistillWeight));
            }
        }
        else
        {
            var states = Layered.States(x, _headLayers);
            loss = _heads.Select((head, h) => context.Objective.Loss(head.forward(states[h]), y)).Aggregate((a, b) => a.Plus(b));
        }
        var gradients = BackwardWithHeads(loss, parameters, _headAdam!);
        if (global) Refresh(objects, values, parameters);
        var evaluations = all.Select((s, i) => new ConstraintEvaluation(s.Name, values[i], _cache[s.Name]) { StaleJacobian = !global }).ToArray();
        var result = Optimizer.Step(gradients, evaluations);
        _headAdam!.step();
        _scheduler.MarkStep(global);
        // Cached rows that could not hold the constraints (the step contract shortened or held the local step) are
        // refreshed at once: the next step is global.
        if (!global && (result.Halvings > 0 || result.Held)) _scheduler.RequestRefresh();
        if (global) GlobalBackprops++; else LocalBackprops++;
        RecordStep(result);
    }

    /// <summary>
    /// Re-chooses the active set and caches the chosen constraints' Jacobians (one backward each); the others get an
    /// empty row (they cannot move the steps until the next refresh chooses them).
    /// </summary>
    private void Refresh(IReadOnlyList<Galt.Constraints.Constraint> objects, double[] values, Parameter[] parameters)
    {
        var states = Optimizer.Constraints;
        var names = states.Select(s => s.Name).ToArray();
        var active = Options.ActiveSet?.Select(names, values, states.Select(s => s.Value).ToArray(), states.Select(s => s.Lambda).ToArray(),
            names.Select(n => _stale.GetValueOrDefault(n)).ToArray()) ?? names.Select(_ => true).ToArray();
        foreach (var rows in _cache.Values) foreach (var j in rows) j?.Dispose();
        _cache.Clear();
        for (int i = 0; i < names.Length; i++)
        {
            Tensor?[] rows = new Tensor?[parameters.Length];
            if (active[i])
            {
                using var inner = NewDisposeScope();
                rows = AutogradJacobians.Evaluate(objects[i], parameters).Jacobian.Select(j => j?.clone().DetachFromDisposeScope()).ToArray();
            }
            _cache[names[i]] = rows;
            _stale[names[i]] = active[i] ? 0 : _stale.GetValueOrDefault(names[i]) + 1;
        }
    }

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        var names = _cache.Keys.ToArray();
        writer.Strings("cache_names", names);
        SaveLocalHeads(writer, _heads, HeadAdamState, _scheduler, names.Select(n => _cache[n]).ToArray());
        writer.Strings("stale/names", _stale.Keys.ToArray());
        writer.Longs("stale/counts", _stale.Values.Select(v => (long)v).ToArray());
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var baseAction = base.Prepare(reader);
        var names = reader.Strings("cache_names");
        var (heads, cached) = PrepareLocalHeads(reader, _heads, HeadAdamState, _scheduler);
        if (cached.Length != names.Length) throw reader.Error("cache_names", $"{names.Length} names for {cached.Length} cached row sets.");
        var staleNames = reader.Strings("stale/names");
        var staleCounts = reader.Longs("stale/counts");
        if (staleNames.Length != staleCounts.Length) throw reader.Error("stale/counts", $"{staleCounts.Length} counts for {staleNames.Length} names.");
        return Then(baseAction, () =>
        {
            heads();
            _stale.Clear();
            for (int i = 0; i < staleNames.Length; i++) _stale[staleNames[i]] = (int)staleCounts[i];
            foreach (var rows in _cache.Values) foreach (var j in rows) j?.Dispose();
            _cache.Clear();
            for (int i = 0; i < names.Length; i++) _cache[names[i]] = cached[i];
        });
    }

    private Galt.Checkpoints.TorchOptimizerState HeadAdamState =>
        new(_headAdam!, _heads.SelectMany(h => h.parameters()).ToArray(), ps => new ExplicitAdam(ps, HeadLearningRate));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var rows in _cache.Values) foreach (var j in rows) j?.Dispose();
            _headAdam?.Dispose();
            foreach (var h in _heads) h.Dispose();
        }
        base.Dispose(disposing);
    }
}
