using Galt.Tensors;
using System.Globalization;
using Galt.Jacobians;
using Galt.Models;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>galt_lowbp</c>: the release's low-BP hybrid (spec §3 "AVBD-Hessian-LowBP", §1.4). A refresh scheduler (period 10,
/// trigger 0.3) picks global steps — full backprop of the model's cross-entropy, local heads trained on stop-gradient
/// hidden states, constraint Jacobians recomputed and cached — or local steps, where each LoRA block learns only through
/// its own local head (inputs are stop-gradient post-ReLU activations), the output head through its own input, and the
/// constraints use their stale cached Jacobians with fresh values. Works on any <see cref="ILayerChain"/> (the release's
/// <see cref="LoraMlp"/> is one); <see cref="LocalHeadLowBpStrategy"/> is the variant for models that only hand out
/// their layer states (<see cref="ILayerStates"/>).
/// </summary>
public sealed class GaltLowBpStrategy : ConstrainedStrategy
{

    private readonly List<Tensor?[]> _cachedJacobians = new();
    private Linear[] _localHeads = Array.Empty<Linear>();
    private optim.Optimizer? _localAdam;
    private RefreshScheduler _scheduler = new();

    /// <summary>The optimizer settings (the release's, as for <c>galt_hessian</c>).</summary>
    public AlHessianOptions Options { get; init; } = GaltHessianStrategy.SplitMnistOptions;

    /// <summary>Scheduler settings.</summary>
    public RefreshSchedule Schedule { get; init; } = new();

    /// <inheritdoc />
    public override string Name => "galt_lowbp";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters
    {
        get
        {
            var h = GaltHessianStrategy.HessianHyperparameters(Options, Anchors, RestorationBeyondDescription(Schedule.Trigger));
            h["refresh"] = $"period {Schedule.RefreshPeriod}, trigger {Schedule.Trigger.ToString(CultureInfo.InvariantCulture)}";
            h["local_heads"] = "Linear(hidden → 10) per hidden layer, Adam lr 1e-3";
            h["global_ratio"] = _scheduler.GlobalRatio.ToString("0.###", CultureInfo.InvariantCulture);
            return h;
        }
    }

    /// <inheritdoc />
    protected override ConstrainedOptimizer CreateOptimizer()
    {
        if (Model is not ILayerChain)
            throw new NotSupportedException($"galt_lowbp trains each hidden layer through a local head on that layer's output, so it needs a model that runs its layers one by one (Galt.Models.ILayerChain, e.g. LoraMlp); got {Model.GetType().Name}.");
        _scheduler = new RefreshScheduler(Schedule);
        _localHeads = Chain.StateWidths.Select(w => nn.Linear(w, Chain.OutputWidth)).ToArray();
        _localAdam = new ExplicitAdam(_localHeads.SelectMany(h => h.parameters()), 1e-3);
        return new AlHessianOptimizer(Trainable, Options);
    }

    /// <summary>The model as the layer chain this strategy needs (checked on attach).</summary>
    private ILayerChain Chain => (ILayerChain)Model;

    /// <summary>The post-activation output of every hidden layer, input side first.</summary>
    private Tensor[] HiddenStates(Tensor x)
    {
        var states = new Tensor[Chain.StateWidths.Count];
        for (int l = 0; l < states.Length; l++) states[l] = Chain.LayerForward(l, l == 0 ? x : states[l - 1]);
        return states;
    }

    /// <inheritdoc />
    public override void Step(Tensor x, Tensor y, TaskContext context)
    {
        var constraints = Anchors.Constraints;
        var values = ValuesRestoredBeyond(Schedule.Trigger, () => constraints.Select(c => c.Value()).ToArray(), context);
        bool global = _scheduler.NeedsRefresh(values) | _cachedJacobians.Count < constraints.Count;
        var parameters = Trainable.Select(p => p.Parameter).ToArray();
        Tensor?[] modelGradients;
        if (global)
        {
            // spec §3 step 2: CE(model) trains LoRA and head; local-head CEs on stop-gradient states train only the heads.
            var hidden = HiddenStates(x);
            var loss = context.Objective.Loss(Chain.HeadForward(hidden[^1]), y);
            for (int l = 0; l < _localHeads.Length; l++) loss = loss.Plus(context.Objective.Loss(_localHeads[l].forward(hidden[l].detach()), y));
            modelGradients = BackwardWithHeads(loss, parameters, _localAdam!);
            foreach (var cache in _cachedJacobians) foreach (var j in cache) j?.Dispose();
            _cachedJacobians.Clear();
            foreach (var evaluation in ConstraintEvaluator.Evaluate(constraints, parameters, Options.Jacobians))
                _cachedJacobians.Add(evaluation.Jacobian.Select(j => j?.clone().DetachFromDisposeScope()).ToArray());
            GlobalBackprops++;
        }
        else
        {
            // spec §3 step 3: every block learns from its own local head on stop-gradient post-ReLU inputs.
            Tensor[] plain;
            using (no_grad()) plain = HiddenStates(x);
            var loss = context.Objective.Loss(Chain.HeadForward(plain[^1].detach()), y);
            for (int l = 0; l < _localHeads.Length; l++)
            {
                var input = l == 0 ? x : plain[l - 1].detach();
                var h = Chain.LayerForward(l, input);
                loss = loss.Plus(context.Objective.Loss(_localHeads[l].forward(h), y));
            }
            modelGradients = BackwardWithHeads(loss, parameters, _localAdam!);
            LocalBackprops++;
        }
        _scheduler.MarkStep(global);
        var evaluations = constraints.Select((c, i) => new ConstraintEvaluation(c.Name, values[i], _cachedJacobians[i]) { StaleJacobian = !global }).ToArray();
        var result = Optimizer.Step(modelGradients, evaluations);
        _localAdam!.step();
        // Cached rows that could not hold the constraints (the step contract shortened or held the local step) are
        // refreshed at once: the next step is global.
        if (!global && (result.Halvings > 0 || result.Held)) _scheduler.RequestRefresh();
        RecordStep(result);
    }

    /// <summary>Global/local step counts of the scheduler.</summary>
    public RefreshScheduler Scheduler => _scheduler;

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        SaveLocalHeads(writer, _localHeads, LocalAdamState, _scheduler, _cachedJacobians);
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var baseAction = base.Prepare(reader);
        var (heads, cached) = PrepareLocalHeads(reader, _localHeads, LocalAdamState, _scheduler);
        return Then(baseAction, () =>
        {
            heads();
            foreach (var cache in _cachedJacobians) foreach (var j in cache) j?.Dispose();
            _cachedJacobians.Clear();
            _cachedJacobians.AddRange(cached);
        });
    }

    private Galt.Checkpoints.TorchOptimizerState LocalAdamState =>
        new(_localAdam!, _localHeads.SelectMany(h => h.parameters()).ToArray(), ps => new ExplicitAdam(ps, 1e-3));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var cache in _cachedJacobians) foreach (var j in cache) j?.Dispose();
            _localAdam?.Dispose();
            foreach (var h in _localHeads) h.Dispose();
        }
        base.Dispose(disposing);
    }
}
