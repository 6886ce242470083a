namespace Galt.Constraints;

/// <summary>Whether a constraint asks C ≤ 0 or C = 0.</summary>
public enum ConstraintKind
{
    /// <summary>C ≤ 0; violation max(0, C); multiplier λ ≥ 0.</summary>
    Inequality,

    /// <summary>C = 0; violation |C|; multiplier of free sign.</summary>
    Equality,
}

/// <summary>The scalar rules that follow from a constraint's kind.</summary>
public static class ConstraintKindRules
{
    /// <summary>Size of the violation: max(0, C) for inequalities, |C| for equalities.</summary>
    public static double Violation(this ConstraintKind kind, double value) =>
        kind == ConstraintKind.Inequality ? Math.Max(0, value) : Math.Abs(value);

    /// <summary>
    /// The residual the P-term and the dual rules act on: max(0, C) for inequalities (spec §1.2–1.3),
    /// C itself for equalities (it must push both ways).
    /// </summary>
    public static double Residual(this ConstraintKind kind, double value) =>
        kind == ConstraintKind.Inequality ? Math.Max(0, value) : value;

    /// <summary>Projects a multiplier onto its feasible set: [0, λ_max] for inequalities, [−λ_max, λ_max] for equalities.</summary>
    public static double ProjectMultiplier(this ConstraintKind kind, double lambda, double lambdaMax) =>
        kind == ConstraintKind.Inequality ? Math.Clamp(lambda, 0, lambdaMax) : Math.Clamp(lambda, -lambdaMax, lambdaMax);
}
