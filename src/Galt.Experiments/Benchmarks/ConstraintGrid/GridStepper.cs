using Galt.Optim;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// One method's training step on a <see cref="GridProblem"/>, as a run drives it: take a step, then read the
/// constraint's value and multiplier. The constrained optimizers are used only through Galt's public API.
/// </summary>
internal abstract class GridStepper : IDisposable
{
    /// <summary>One training step; returns the task loss before it.</summary>
    public abstract double Step();

    /// <summary>C after the latest step, measured afresh on the constraint's own inputs (a certificate).</summary>
    public abstract double Value();

    /// <summary>λ after the latest step (for the soft penalty: its fixed weight).</summary>
    public abstract double Lambda { get; }

    /// <summary>Releases the optimizer's state.</summary>
    public abstract void Dispose();

    /// <summary>The stepper of <paramref name="method"/> at <paramref name="learningRate"/>.</summary>
    public static GridStepper Create(GridMethod method, GridProblem problem, double learningRate) => method.Kind switch
    {
        GridMethodKind.Galt => new ConstrainedStepper(new GaltOptimizer(problem.Parameters, new GaltOptions { LearningRate = learningRate }), problem),
        GridMethodKind.Hessian => new ConstrainedStepper(new AlHessianOptimizer(problem.Parameters, new AlHessianOptions { LearningRate = learningRate }), problem),
        GridMethodKind.SoftPenalty => new SoftPenaltyStepper(problem, learningRate, method.Weight),
        GridMethodKind.GradientAscent => new GradientAscentStepper(problem, learningRate, method.Weight),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method.Kind, "unknown grid method."),
    };
}

/// <summary>A Galt constrained optimizer with the problem's constraint added, stepped on the task-loss closure.</summary>
internal sealed class ConstrainedStepper : GridStepper
{
    private readonly ConstrainedOptimizer _optimizer;
    private readonly GridProblem _problem;

    public ConstrainedStepper(ConstrainedOptimizer optimizer, GridProblem problem)
    {
        _optimizer = optimizer;
        _problem = problem;
        _optimizer.AddConstraint(problem.Constraint);
    }

    public override double Step() => _optimizer.Step(_problem.TaskLoss).Loss;

    public override double Value() => _optimizer.Certify().Rows[0].Value;

    public override double Lambda => _optimizer.Constraints[0].Lambda;

    public override void Dispose() => _optimizer.Dispose();
}
