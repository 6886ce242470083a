using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The P-gain / stiffness ρ of one constraint and how it adapts (spec §1.2 "ρ adaptation", §1.3 step 5):
/// if the violation did not shrink below <see cref="Tau"/> × the previous one, ρ ← min(ρ·growth, ceiling);
/// otherwise, when <see cref="Decay"/> &lt; 1, ρ ← max(floor, ρ·decay).
/// </summary>
/// <param name="Initial">ρ at creation.</param>
/// <param name="Floor">Lowest ρ decay may reach.</param>
/// <param name="Ceiling">Highest ρ growth may reach.</param>
/// <param name="Growth">Multiplicative growth on insufficient decrease.</param>
/// <param name="Decay">Multiplicative decay otherwise; 1 turns decay off.</param>
/// <param name="Tau">Insufficient-decrease ratio.</param>
public sealed record PenaltySchedule(double Initial = 1.0, double Floor = 1.0, double Ceiling = 50.0, double Growth = 1.5, double Decay = 1.0, double Tau = 0.9)
{
    /// <summary>Throws when the schedule is inconsistent; <paramref name="owner"/> names the optimizer option.</summary>
    public void Validate(string owner)
    {
        if (!(Initial >= 0) || !(Floor >= 0) || !(Ceiling >= Floor) || double.IsInfinity(Ceiling))
            throw new ArgumentException($"{owner}: penalty bounds must satisfy 0 ≤ floor ≤ ceiling < ∞ and initial ≥ 0; got initial {Initial}, floor {Floor}, ceiling {Ceiling}.");
        if (!(Growth >= 1) || !(Decay > 0 && Decay <= 1) || !(Tau > 0))
            throw new ArgumentException($"{owner}: penalty growth must be ≥ 1, decay in (0, 1], tau > 0; got growth {Growth}, decay {Decay}, tau {Tau}.");
    }

    /// <summary>Adapts <paramref name="state"/>'s ρ to this step's violation and records it as the previous one.</summary>
    public void Adapt(MultiplierState state, double value)
    {
        double r = state.Kind.Violation(value);
        if (state.PreviousViolation is { } previous && r > Tau * previous)
            state.Rho = Math.Min(state.Rho * Growth, Ceiling);
        else if (Decay < 1)
            state.Rho = Math.Max(Floor, state.Rho * Decay);
        state.PreviousViolation = r;
    }
}
