using Galt.Optim;
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

    /// <summary>The anchor sets and their constraints.</summary>
    protected RetentionAnchors Anchors { get; } = new();

    /// <summary>The optimizer, created on attach.</summary>
    protected ConstrainedOptimizer Optimizer { get; private set; } = null!;

    /// <summary>
    /// Feasibility restoration at the end of every task that has constraints (constraint-only steps, see
    /// <see cref="ConstrainedOptimizer.Restore"/>); null = none (the release's protocol).
    /// </summary>
    public RestorationOptions? Restoration { get; init; } = new();

    /// <summary>How <see cref="Restoration"/> is reported.</summary>
    protected string RestorationDescription => Restoration is null ? "none" : $"at each task end, ≤ {Restoration.MaxSteps} constraint-only steps";

    /// <summary>Creates the optimizer over <see cref="Strategy.Trainable"/>.</summary>
    protected abstract ConstrainedOptimizer CreateOptimizer();

    /// <inheritdoc />
    protected override void OnAttach() => Optimizer = CreateOptimizer();

    /// <inheritdoc />
    public override ConstraintTrace? Constraints => _trace;

    /// <summary>Full backprop: the optimizer differentiates the task loss and every constraint itself.</summary>
    public override void Step(Tensor x, Tensor y, TaskContext context)
    {
        var result = Optimizer.Step(() => nn.functional.cross_entropy(Model.forward(x), y));
        GlobalBackprops++;
        RecordStep(result);
    }

    /// <summary>Appends the optimizer's constraint states and the step's solve path to the trace.</summary>
    protected void RecordStep(StepResult result)
    {
        _trace.Record(++_steps, Optimizer.Constraints);
        _trace.RecordSolve(_steps, result);
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

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Optimizer?.Dispose();
        Anchors.Dispose();
    }
}
