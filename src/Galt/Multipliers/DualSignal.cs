using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>What an inequality constraint feeds its multiplier update.</summary>
public enum DualSignal
{
    /// <summary>
    /// The value C itself, then λ projected onto [0, λ_max]: textbook projected dual ascent, so λ can fall back to 0
    /// when a constraint becomes inactive. The default.
    /// </summary>
    Signed,

    /// <summary>max(0, C), as the release does (spec §1.2–1.3): λ never decreases.</summary>
    PositivePart,
}

/// <summary>Turns a constraint value into the dual signal.</summary>
internal static class DualSignalRules
{
    /// <summary>The signal for a value: equalities always signed; inequalities per <paramref name="signal"/>.</summary>
    public static double Of(this DualSignal signal, ConstraintKind kind, double value) =>
        kind == ConstraintKind.Inequality && signal == DualSignal.PositivePart ? Math.Max(0, value) : value;
}
