using Galt.Constraints;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// When a step counts as infeasible, and when a run counts as holding its constraint: in one place so both can be
/// changed together.
/// </summary>
/// <param name="Inequality">An inequality step is infeasible when C &gt; this.</param>
/// <param name="Equality">An equality step is infeasible when |C| &gt; this.</param>
/// <param name="FeasibleShare">A run holds its constraint when at most this share of its post-warm-up steps is infeasible (and it ends feasible).</param>
public sealed record GridTolerance(double Inequality = 0, double Equality = 1e-3, double FeasibleShare = 0.01)
{
    /// <summary>0 for inequalities (what a certificate and the step contract use by default), 1e-3 for equalities (the contract's), 1 % of post-warm-up steps.</summary>
    public static GridTolerance Default { get; } = new();

    /// <summary>The violation allowed for <paramref name="kind"/>.</summary>
    public double For(ConstraintKind kind) => kind == ConstraintKind.Inequality ? Inequality : Equality;

    /// <summary>Whether C = <paramref name="value"/> is infeasible beyond the tolerance (NaN counts as infeasible).</summary>
    public bool Infeasible(ConstraintKind kind, double value) => !(kind.Violation(value) <= For(kind));

    /// <summary>The most infeasible post-warm-up steps a holding run may have out of <paramref name="postWarmupSteps"/>.</summary>
    public int AllowedInfeasibleSteps(int postWarmupSteps) => (int)Math.Floor(FeasibleShare * postWarmupSteps + 1e-9);
}
