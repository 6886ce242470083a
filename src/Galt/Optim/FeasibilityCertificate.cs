using Galt.Constraints;

namespace Galt.Optim;

/// <summary>One constraint's line in a <see cref="FeasibilityCertificate"/>.</summary>
/// <param name="Name">Constraint name.</param>
/// <param name="Kind">Inequality or equality.</param>
/// <param name="Margin">The margin inside C.</param>
/// <param name="Value">C evaluated now on the constraint's own evaluation set (what the optimizer holds).</param>
/// <param name="Violation">max(0, C) or |C|.</param>
/// <param name="Lambda">Current λ (for a soft penalty: its fixed weight).</param>
/// <param name="Rho">Current ρ.</param>
/// <param name="Feasible">Violation ≤ the certificate's tolerance.</param>
/// <param name="HeldOutValue">The same measure on a held-out set of the same data, NaN when none was given.</param>
/// <param name="HeldOutViolation">Its violation (NaN when none).</param>
/// <param name="HeldOutFeasible">Held-out violation ≤ tolerance; null when there is no held-out set.</param>
public sealed record CertificateRow(string Name, ConstraintKind Kind, double Margin, double Value, double Violation, double Lambda, double Rho, bool Feasible,
    double HeldOutValue = double.NaN, double HeldOutViolation = double.NaN, bool? HeldOutFeasible = null)
{
    /// <summary>A row from values: violations and verdicts follow from <paramref name="kind"/> and <paramref name="tolerance"/>.</summary>
    public static CertificateRow Of(string name, ConstraintKind kind, double margin, double value, double lambda, double rho, double tolerance, double heldOutValue = double.NaN)
    {
        double violation = kind.Violation(value);
        double heldOutViolation = double.IsNaN(heldOutValue) ? double.NaN : kind.Violation(heldOutValue);
        return new CertificateRow(name, kind, margin, value, violation, lambda, rho, violation <= tolerance, heldOutValue, heldOutViolation,
            double.IsNaN(heldOutValue) ? null : heldOutViolation <= tolerance);
    }
}

/// <summary>
/// Evidence that a model meets its constraints: each constraint re-evaluated on its own evaluation set (not the
/// step's estimate), its violation, whether it is within tolerance, and the same on a held-out set where one was given.
/// </summary>
public sealed class FeasibilityCertificate
{
    /// <summary>Creates the certificate.</summary>
    public FeasibilityCertificate(IReadOnlyList<CertificateRow> rows, double tolerance)
    {
        Rows = rows; Tolerance = tolerance;
    }

    /// <summary>One row per constraint, in registration order.</summary>
    public IReadOnlyList<CertificateRow> Rows { get; }

    /// <summary>Violation allowed for "feasible".</summary>
    public double Tolerance { get; }

    /// <summary>Largest violation (0 with no constraints).</summary>
    public double MaxViolation => Rows.Count == 0 ? 0 : Rows.Max(r => r.Violation);

    /// <summary>Largest signed value C over inequality rows (how far inside, when negative); NaN with none.</summary>
    public double MaxValue => Rows.Count == 0 ? double.NaN : Rows.Max(r => r.Kind == ConstraintKind.Inequality ? r.Value : Math.Abs(r.Value));

    /// <summary>Largest held-out violation over the rows that have one; NaN when none does.</summary>
    public double MaxHeldOutViolation => Rows.Any(r => r.HeldOutFeasible is not null) ? Rows.Where(r => r.HeldOutFeasible is not null).Max(r => r.HeldOutViolation) : double.NaN;

    /// <summary>
    /// Why the model counts as diverged — parameters that are not finite, or a multiplier that ran away while its
    /// constraint stayed violated — or null. A diverged model is never certified feasible.
    /// </summary>
    public string? Divergence { get; init; }

    /// <summary>True when <see cref="Divergence"/> names a reason.</summary>
    public bool Diverged => Divergence is not null;

    /// <summary>True when every constraint is within tolerance and the model has not diverged.</summary>
    public bool AllFeasible => !Diverged && Rows.All(r => r.Feasible);

    /// <summary>The row of a named constraint.</summary>
    public CertificateRow this[string name] => Rows.FirstOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"no constraint named '{name}' in the certificate (have: {string.Join(", ", Rows.Select(r => r.Name))}).");
}
