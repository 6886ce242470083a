using Galt.Constraints;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// The figures of one grid run: how well it held its constraint after the warm-up, where it ended, what it cost.
/// Computed the same way for every method from its <see cref="GridStepRecord"/>s.
/// </summary>
public sealed record GridRunMetrics
{
    /// <summary>
    /// Forward passes over the constraint's inputs that one step needs in any case: the constrained optimizers' Jacobian
    /// (one forward, batched with hooks or by autograd), the baselines' penalty or Lagrangian term. The rest is "extra".
    /// </summary>
    public const int JacobianEvaluationsPerStep = 1;

    /// <summary>The cell.</summary>
    public required GridCell Cell { get; init; }

    /// <summary>The method (and its weight).</summary>
    public required GridMethod Method { get; init; }

    /// <summary>The seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Steps the run was to take.</summary>
    public required int StepsPlanned { get; init; }

    /// <summary>Post-warm-up steps the run was to take.</summary>
    public required int PostWarmupSteps { get; init; }

    /// <summary>The margin inside C, absolute.</summary>
    public required double Margin { get; init; }

    /// <summary>K at the start.</summary>
    public required double StartMeasure { get; init; }

    /// <summary>Every step taken, in order.</summary>
    public required IReadOnlyList<GridStepRecord> Steps { get; init; }

    /// <summary>The task loss before the first step.</summary>
    public required double TaskLossStart { get; init; }

    /// <summary>The task loss after the last step taken (NaN when it could not be evaluated).</summary>
    public required double TaskLossEnd { get; init; }

    /// <summary>C of the final certificate, after the last step taken (NaN when none was taken).</summary>
    public required double EndValue { get; init; }

    /// <summary>True when the run stopped on a divergence (an exception, a non-finite or huge loss or λ, a non-finite parameter).</summary>
    public required bool Diverged { get; init; }

    /// <summary>What diverged: the exception's type and message, or the quantity and its value; null when nothing did.</summary>
    public string? DivergenceReason { get; init; }

    /// <summary>True when the run stopped because it could no longer hold (<see cref="GridRunSettings.StopWhenNotHolding"/>).</summary>
    public required bool StoppedEarly { get; init; }

    /// <summary>Wall-clock seconds of the run, building the problem included.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>The tolerances the verdicts use.</summary>
    public required GridTolerance Tolerance { get; init; }

    /// <summary>The constraint's kind.</summary>
    public ConstraintKind Kind => Cell.Kind == GridConstraintKind.Equality ? ConstraintKind.Equality : ConstraintKind.Inequality;

    /// <summary>Steps taken.</summary>
    public int StepsTaken => Steps.Count;

    private IEnumerable<GridStepRecord> PostWarmup => Steps.Where(s => s.Step > StepsPlanned - PostWarmupSteps);

    /// <summary>Post-warm-up steps taken that ended infeasible beyond the tolerance.</summary>
    public int InfeasibleSteps => PostWarmup.Count(s => s.Infeasible);

    /// <summary>
    /// Share of the planned post-warm-up steps that ended infeasible beyond the tolerance; steps a run that stopped did
    /// not take count as infeasible (it did not hold the constraint there).
    /// </summary>
    public double ShareInfeasible => PostWarmupSteps == 0 ? 0 : (double)(InfeasibleSteps + PostWarmupSteps - PostWarmup.Count()) / PostWarmupSteps;

    /// <summary>Mean violation over the post-warm-up steps taken (NaN when none).</summary>
    public double MeanViolation => PostWarmup.Any() ? PostWarmup.Average(s => s.Violation) : double.NaN;

    /// <summary>Largest violation over the post-warm-up steps taken (NaN when none).</summary>
    public double MaxViolation => PostWarmup.Any() ? PostWarmup.Max(s => s.Violation) : double.NaN;

    /// <summary>Whether the final certificate is within tolerance (false for a run that stopped).</summary>
    public bool EndsFeasible => !Diverged && !StoppedEarly && StepsTaken == StepsPlanned && !Tolerance.Infeasible(Kind, EndValue);

    /// <summary>λ after the last step taken (NaN when none).</summary>
    public double LambdaEnd => Steps.Count == 0 ? double.NaN : Steps[^1].Lambda;

    /// <summary>Post-warm-up steps that ended violated beyond the tolerance while λ was 0 (a holding multiplier rule has none).</summary>
    public int LambdaZeroViolations => PostWarmup.Count(s => s.Infeasible && s.Lambda == 0);

    /// <summary>Forward passes over the constraint's inputs per step, mean over the steps taken (certificates not counted).</summary>
    public double EvaluationsPerStep => Steps.Count == 0 ? double.NaN : Steps.Average(s => (double)s.Evaluations);

    /// <summary><see cref="EvaluationsPerStep"/> beyond the <see cref="JacobianEvaluationsPerStep"/> a step needs.</summary>
    public double ExtraEvaluationsPerStep => EvaluationsPerStep - JacobianEvaluationsPerStep;

    /// <summary>
    /// Whether the run held its constraint: it did not stop, at most <see cref="GridTolerance.FeasibleShare"/> of its
    /// post-warm-up steps were infeasible, and it ends feasible.
    /// </summary>
    public bool Holds => !Diverged && !StoppedEarly && ShareInfeasible <= Tolerance.FeasibleShare && EndsFeasible;
}
