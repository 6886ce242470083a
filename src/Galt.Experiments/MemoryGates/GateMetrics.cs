using Galt.Memory;

namespace Galt.Experiments.MemoryGates;

/// <summary>The accuracies spec §6.2 reports for a policy on the test rows.</summary>
/// <param name="Accuracy">Overall.</param>
/// <param name="NoViolation">On v = none.</param>
/// <param name="BottomUp">On v ≤ m (quarantine expected).</param>
/// <param name="TopDown">On m &lt; v &lt; none (access expected).</param>
/// <param name="HeldOut">On the held-out pairs.</param>
/// <param name="HeldOutBottomUp">On held-out bottom-up pairs.</param>
/// <param name="HeldOutTopDown">On held-out top-down pairs.</param>
public sealed record GateMetrics(double Accuracy, double NoViolation, double BottomUp, double TopDown, double HeldOut, double HeldOutBottomUp, double HeldOutTopDown)
{
    /// <summary>Scores <paramref name="predictions"/> (access = true) against the rows' labels.</summary>
    public static GateMetrics Score(IReadOnlyList<GateRow> rows, IReadOnlyList<bool> predictions)
    {
        double Acc(Func<GateRow, bool> where)
        {
            var picked = rows.Select((r, i) => (r, i)).Where(p => where(p.r)).ToArray();
            return picked.Length == 0 ? double.NaN : picked.Count(p => predictions[p.i] == p.r.Label) / (double)picked.Length;
        }
        return new GateMetrics(
            Acc(_ => true),
            Acc(r => r.Regime == AccessRegime.NoViolation),
            Acc(r => r.Regime == AccessRegime.BottomUpInvalidation),
            Acc(r => r.Regime == AccessRegime.TopDownContainment),
            Acc(r => r.HeldOut),
            Acc(r => r.HeldOut && r.Regime == AccessRegime.BottomUpInvalidation),
            Acc(r => r.HeldOut && r.Regime == AccessRegime.TopDownContainment));
    }
}
