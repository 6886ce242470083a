using Galt.Constraints;

namespace Galt.Optim;

/// <summary>One constraint's line in a <see cref="FeasibilityCertificate"/>.</summary>
/// <param name="Name">Constraint name.</param>
/// <param name="Kind">Inequality or equality.</param>
/// <param name="Margin">The margin inside C.</param>
/// <param name="Value">C evaluated now on the constraint's own evaluation set.</param>
/// <param name="Violation">max(0, C) or |C|.</param>
/// <param name="Lambda">Current λ.</param>
/// <param name="Rho">Current ρ.</param>
/// <param name="Feasible">Violation ≤ the certificate's tolerance.</param>
public sealed record CertificateRow(string Name, ConstraintKind Kind, double Margin, double Value, double Violation, double Lambda, double Rho, bool Feasible);

/// <summary>
/// Evidence that a model meets its constraints: each constraint re-evaluated on its own evaluation set (not the
/// step's estimate), its violation, and whether it is within tolerance.
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

    /// <summary>True when every constraint is within tolerance.</summary>
    public bool AllFeasible => Rows.All(r => r.Feasible);

    /// <summary>The row of a named constraint.</summary>
    public CertificateRow this[string name] => Rows.FirstOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"no constraint named '{name}' in the certificate (have: {string.Join(", ", Rows.Select(r => r.Name))}).");
}
