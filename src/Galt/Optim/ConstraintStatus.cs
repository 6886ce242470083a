using Galt.Constraints;
using Galt.Multipliers;

namespace Galt.Optim;

/// <summary>A read-only snapshot of one constraint's multiplier state, for reports and tests.</summary>
/// <param name="Name">Constraint name.</param>
/// <param name="Kind">Inequality or equality.</param>
/// <param name="Value">C at the latest step's start.</param>
/// <param name="PostValue">Predicted C after the latest step.</param>
/// <param name="MeasuredValue">C measured after the latest step by the step contract (NaN when not measured).</param>
/// <param name="Lambda">λ.</param>
/// <param name="Rho">ρ (P-gain / stiffness).</param>
/// <param name="RecentViolations">Recent violations at the steps' starts, oldest first.</param>
/// <param name="Rule">A copy of the multiplier rule's own state (e.g. <see cref="PiRuleState"/>, <see cref="LinearizedRuleState"/>).</param>
/// <param name="ContractCorrections">Steps on which its measured value broke the step contract and the step was corrected or shortened.</param>
/// <param name="RunawayReports">Times its multiplier was reported running away (λ grew while it stayed violated).</param>
/// <param name="StallReports">Times it was reported staying violated over a window without λ running away.</param>
public sealed record ConstraintStatus(string Name, ConstraintKind Kind, double Value, double PostValue, double MeasuredValue, double Lambda, double Rho,
    IReadOnlyList<double> RecentViolations, IMultiplierRuleState Rule, int ContractCorrections, int RunawayReports, int StallReports)
{
    /// <summary>Largest recent violation.</summary>
    public double MaxRecentViolation => RecentViolations.Count == 0 ? 0 : RecentViolations.Max();

    internal static ConstraintStatus Of(MultiplierState s) => new(s.Name, s.Kind, s.LastValue, s.LastPostValue, s.LastMeasuredValue, s.Lambda, s.Rho,
        s.History.Values, s.Rule.Clone(), s.ContractCorrections, s.RunawayReports, s.StallReports);
}
