using Galt.Constraints;
using Galt.Multipliers;

namespace Galt.Optim;

/// <summary>A read-only snapshot of one constraint's multiplier state, for reports and tests.</summary>
/// <param name="Name">Constraint name.</param>
/// <param name="Kind">Inequality or equality.</param>
/// <param name="Value">C at the latest step.</param>
/// <param name="PostValue">Predicted C after the latest step.</param>
/// <param name="Lambda">λ.</param>
/// <param name="Rho">ρ (P-gain / stiffness).</param>
/// <param name="Integral">v13 integrator (0 for the v10 rule).</param>
/// <param name="ViolationEma">v10 residual EMA (0 for the v13 rule).</param>
/// <param name="DualUpdates">Dual updates so far.</param>
/// <param name="RecentViolations">Recent violations, oldest first.</param>
/// <param name="LinearizationError">Linearised rule: the measured error of the first-order prediction (EMA).</param>
/// <param name="InactionableSteps">Linearised rule: violated steps the step could not move this constraint on.</param>
/// <param name="TrustLimitedSteps">Linearised rule: steps whose force increase the trust radius scaled down.</param>
public sealed record ConstraintStatus(string Name, ConstraintKind Kind, double Value, double PostValue, double Lambda, double Rho,
    double Integral, double ViolationEma, int DualUpdates, IReadOnlyList<double> RecentViolations, double LinearizationError = 0, int InactionableSteps = 0, int TrustLimitedSteps = 0)
{
    /// <summary>Largest recent violation.</summary>
    public double MaxRecentViolation => RecentViolations.Count == 0 ? 0 : RecentViolations.Max();

    internal static ConstraintStatus Of(MultiplierState s) => new(s.Name, s.Kind, s.LastValue, s.LastPostValue, s.Lambda, s.Rho,
        s.IntegralEma, s.ViolationEma, s.DualUpdates, s.History.Values, s.LinearizationError, s.InactionableSteps, s.TrustLimitedSteps);
}
