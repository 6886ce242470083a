using Galt.Constraints;
using Galt.Optim;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// The GALT strategies' common shape: a constrained optimizer on the trainable parameters, one KL retention
/// constraint per finished task (<see cref="RetentionAnchors"/>), λ/ρ/value recorded after every step, and a
/// feasibility certificate at the end.
/// </summary>
public abstract class ConstrainedStrategy : Strategy
{
    private readonly ConstraintTrace _trace = new();
    private int _steps;

    /// <summary>The retention anchor sets and their constraints (spec §3: 200 anchors per finished task, T = 1, margin 0.02).</summary>
    public RetentionAnchors Anchors { get; init; } = new();

    /// <summary>
    /// Constraints held from the first step ("from birth", spec §4): called once on attach with the model as it is then
    /// (e.g. after a safety warm-up, so KL anchors snapshot that state); each constraint may come with a held-out twin
    /// for the certificate. The strategy owns and disposes them.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>, IReadOnlyList<(Constraint Constraint, Constraint? HeldOut)>>? FromBirth { get; init; }

    private readonly List<Constraint> _birth = new();

    /// <summary>The optimizer, created on attach.</summary>
    protected ConstrainedOptimizer Optimizer { get; private set; } = null!;

    /// <summary>
    /// Feasibility restoration at the end of every task that has constraints (constraint-only steps, see
    /// <see cref="ConstrainedOptimizer.Restore"/>); null = none (the release's protocol).
    /// </summary>
    public RestorationOptions? Restoration { get; init; } = new();

    /// <summary>How <see cref="Restoration"/> is reported.</summary>
    protected string RestorationDescription => Restoration is null ? "none" : $"at each task end, ≤ {Restoration.MaxSteps} constraint-only steps (halved until they lower the violation)";

    /// <summary>How <see cref="Restoration"/> is reported by a strategy that also restores mid-task (<see cref="ValuesRestoredBeyond"/>).</summary>
    protected string RestorationBeyondDescription(double threshold) => Restoration is null ? "none"
        : $"{RestorationDescription}, and at once when a violation exceeds {threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The low-BP hybrids' guard against a jump: a local step, whose constraint forces come from stale Jacobians, can
    /// carry a strongly curved constraint (a saturating softmax) far past its margin in one step — measured in safety
    /// from birth (seed 123): the safety KL went from 0.012 to 1.43 in one local step — further than the linearised
    /// multiplier, bounded by its trust radius, brings it back within a task. When a constraint's violation exceeds
    /// <paramref name="threshold"/> at the start of a step, this runs <see cref="Restoration"/> at once (recorded in the
    /// trace like a task-end restoration). Returns the constraints' values (<paramref name="evaluate"/>, in registration
    /// order) as the step should see them: after the restoration when there was one. Never restores when
    /// <see cref="Restoration"/> is null.
    /// </summary>
    protected double[] ValuesRestoredBeyond(double threshold, Func<double[]> evaluate, TaskContext context)
    {
        var values = evaluate();
        var states = Optimizer.Constraints;
        if (Restoration is null || !values.Where((v, i) => states[i].Kind.Violation(v) > threshold).Any()) return values;
        var restored = Optimizer.Restore(Restoration);
        _trace.RecordRestoration(context.Task.Index, restored);
        return evaluate();
    }

    /// <summary>Creates the optimizer over <see cref="Strategy.Trainable"/>.</summary>
    protected abstract ConstrainedOptimizer CreateOptimizer();

    /// <inheritdoc />
    protected override void OnAttach()
    {
        Optimizer = CreateOptimizer();
        if (FromBirth is null) return;
        foreach (var (constraint, heldOut) in FromBirth(Model))
        {
            _birth.Add(constraint);
            _birthNames.Add(constraint.Name);
            if (heldOut is not null) _birth.Add(heldOut);
            Optimizer.AddConstraint(constraint, heldOut: heldOut);
        }
    }

    /// <summary>How <see cref="FromBirth"/> is reported (names of the constraints registered on attach).</summary>
    protected string BirthDescription => _birthNames.Count == 0 ? "none" : string.Join(", ", _birthNames);

    private readonly List<string> _birthNames = new();

    /// <inheritdoc />
    public override ConstraintTrace? Constraints => _trace;

    /// <summary>Full backprop: the optimizer differentiates the task loss and every constraint itself.</summary>
    public override void Step(Tensor x, Tensor y, TaskContext context)
    {
        var result = Optimizer.Step(() => context.Objective.Loss(Model.forward(x), y));
        GlobalBackprops++;
        RecordStep(result);
    }

    /// <summary>Appends the optimizer's constraint states and the step's solve path to the trace.</summary>
    protected void RecordStep(StepResult result)
    {
        _trace.Record(++_steps, Optimizer.Constraints);
        _trace.RecordSolve(_steps, result);
    }

    /// <summary>
    /// One backward pass of <paramref name="loss"/> for a strategy with local heads: the heads' gradients stay in .grad
    /// for <paramref name="heads"/>' own optimizer; the model's are returned as copies (the constrained optimizer takes
    /// gradients explicitly).
    /// </summary>
    protected static Tensor?[] BackwardWithHeads(Tensor loss, TorchSharp.Modules.Parameter[] model, optim.Optimizer heads)
    {
        heads.zero_grad();
        foreach (var p in model) p.ZeroGradient();
        loss.backward();
        using var noGrad = no_grad();
        return model.Select(p => p.GradientCopy()).ToArray();
    }

    /// <inheritdoc />
    public override void AfterTask(TaskContext context)
    {
        if (Restoration is not null && Optimizer.Constraints.Count > 0)
        {
            var restored = Optimizer.Restore(Restoration);
            _trace.RecordRestoration(context.Task.Index, restored);
        }
        if (!context.IsLastTask)
        {
            var constraint = Anchors.Add(Model, context);
            Optimizer.AddConstraint(constraint, heldOut: Anchors.HeldOut[^1]);
        }
        else _trace.Certificate = Optimizer.Certify();
    }

    /// <summary>
    /// Checkpointable when every constraint held from birth can write its own anchor state (the retention constraints
    /// always can); subclasses with more state (local heads, cached Jacobians) say so themselves.
    /// </summary>
    public override bool CanCheckpoint => _birth.All(c => c is Galt.Checkpoints.ICheckpointable);

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        writer.Int("steps", _steps);
        for (int i = 0; i < _birth.Count; i++) writer.Part($"birth/{i}", (Galt.Checkpoints.ICheckpointable)_birth[i]);
        Anchors.Save(writer.Scope("anchors"));
        writer.Part("trace", _trace);
        writer.Part("optimizer", Optimizer);
    }

    /// <summary>
    /// Restores into a strategy attached to a fresh model that has not trained: the retention constraints of the finished
    /// tasks are re-created from the checkpoint and registered (so the optimizer sees the checkpointed constraints), then
    /// the optimizer, birth constraints and trace are read. If it throws, discard the strategy.
    /// </summary>
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        if (_steps > 0) throw new InvalidOperationException($"strategy '{Name}' has already trained; restore into a freshly attached strategy.");
        var baseAction = base.Prepare(reader);
        int steps = reader.Int("steps");
        var birth = _birth.Select((c, i) => reader.Part($"birth/{i}", (Galt.Checkpoints.ICheckpointable)c)).ToArray();
        foreach (var (constraint, heldOut) in Anchors.Restore(reader.Scope("anchors"), Model)) Optimizer.AddConstraint(constraint, heldOut: heldOut);
        var trace = reader.Part("trace", _trace);
        var optimizer = reader.Part("optimizer", Optimizer);
        return Then(baseAction, () =>
        {
            foreach (var b in birth) b();
            trace();
            optimizer();
            _steps = steps;
        });
    }

    /// <summary>
    /// Writes what a low-BP strategy keeps beyond the optimizer: its local heads, their Adam, the refresh scheduler and the
    /// cached Jacobian rows (one row set per constraint, null where a tensor has none).
    /// </summary>
    private protected static void SaveLocalHeads(Galt.Checkpoints.CheckpointWriter writer, IReadOnlyList<TorchSharp.Modules.Linear> heads,
        Galt.Checkpoints.TorchOptimizerState adam, RefreshScheduler scheduler, IReadOnlyList<Tensor?[]> cached)
    {
        for (int h = 0; h < heads.Count; h++) writer.Part($"head/{h}", new Galt.Checkpoints.ModuleCheckpoint(heads[h]));
        writer.Part("head_adam", adam);
        writer.Part("scheduler", scheduler);
        writer.Int("cached", cached.Count);
        for (int c = 0; c < cached.Count; c++)
            for (int p = 0; p < cached[c].Length; p++)
                if (cached[c][p] is { } j) writer.Tensor($"jacobian/{c}/{p}", j);
    }

    /// <summary>Reads what <see cref="SaveLocalHeads"/> wrote: the action restoring heads, Adam and scheduler, and the cached rows.</summary>
    private protected (Action Apply, Tensor?[][] Cached) PrepareLocalHeads(Galt.Checkpoints.CheckpointReader reader, IReadOnlyList<TorchSharp.Modules.Linear> heads,
        Galt.Checkpoints.TorchOptimizerState adam, RefreshScheduler scheduler)
    {
        var actions = heads.Select((h, i) => reader.Part($"head/{i}", new Galt.Checkpoints.ModuleCheckpoint(h))).ToList();
        actions.Add(reader.Part("head_adam", adam));
        actions.Add(reader.Part("scheduler", scheduler));
        int cached = reader.Int("cached");
        int registered = Optimizer.Constraints.Count;
        if (cached < 0 || cached > registered) throw reader.Error("cached", $"{cached} cached Jacobians for {registered} constraints.");
        var rows = Enumerable.Range(0, cached).Select(c => Trainable.Select((t, p) =>
            reader.Has($"jacobian/{c}/{p}") ? reader.TensorLike($"jacobian/{c}/{p}", t.Parameter).DetachFromDisposeScope() : null).ToArray()).ToArray();
        return (() => { foreach (var a in actions) a(); }, rows);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Optimizer?.Dispose();
        Anchors.Dispose();
        foreach (var c in _birth) c.Dispose();
    }
}
