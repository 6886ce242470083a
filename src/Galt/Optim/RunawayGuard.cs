using Galt.Multipliers;
using Microsoft.Extensions.Logging;

namespace Galt.Optim;

/// <summary>
/// Reports a constraint that stays violated (the failure mode of a constraint that cannot be met: the release's rules
/// ran λ to 1e5–1e13 while the model was destroyed, and said nothing). Every <see cref="StepContract.RunawayWindow"/>
/// steps it compares the violation and λ with the window's start; when the constraint was violated at both ends and
/// its violation did not even halve, it says so by name with what it saw (a warning through
/// <see cref="Galt.Diagnostics.GaltLog"/>) and counts a stall. When λ also grew by <see cref="StepContract.RunawayFactor"/>
/// or more, it is a runaway: λ is capped where it is and a certificate says the model diverged, until the constraint
/// is feasible again.
/// </summary>
internal static class RunawayGuard
{
    /// <summary>Checks <paramref name="state"/> after step <paramref name="step"/> (1 for the first), whose violation at its end was <paramref name="violation"/>.</summary>
    public static void Check(MultiplierState state, StepContract contract, int step, double violation)
    {
        double tolerance = contract.ToleranceOf(state.Kind);
        if (state.RunawayActive)
        {
            if (violation <= tolerance) state.RunawayActive = false;
            // While reported, λ does not grow beyond where it was when the report was made.
            else if (Math.Abs(state.Lambda) > state.RunawayCap) state.Lambda = Math.CopySign(state.RunawayCap, state.Lambda);
        }
        if (state.RunawaySince != 0 && step - state.RunawaySince < contract.RunawayWindow) return;
        double lambda = Math.Abs(state.Lambda), reference = Math.Abs(state.RunawayLambda);
        if (state.RunawaySince > 0 && violation > tolerance && state.RunawayViolation > tolerance && violation > 0.5 * state.RunawayViolation)
        {
            bool runaway = !state.RunawayActive && reference > 0 && lambda >= contract.RunawayFactor * reference;
            if (runaway)
            {
                state.RunawayReports++;
                state.RunawayActive = true;
                state.RunawayCap = lambda;
            }
            else state.StallReports++;
            // Said at the first report of each kind and at every power of ten after it, not every window of a long run.
            if (runaway || IsPowerOfTen(state.StallReports))
                Galt.Diagnostics.GaltLog.For("Galt.Optim").LogWarning(
                "Constraint '{Name}' stayed violated over {Steps} steps: violation {Before:G4} → {Violation:G4}, λ {From:G4} → {To:G4}{What}. "
                + "It may not be satisfiable by this model, or its margin may be below what its measure can reach.",
                state.Name, step - state.RunawaySince, state.RunawayViolation, violation, reference, lambda,
                runaway ? "; λ ran away and is held there until the constraint is met" : $" (stall report {state.StallReports})");
        }
        state.RunawayLambda = state.Lambda;
        state.RunawayViolation = violation;
        state.RunawaySince = step;
    }

    private static bool IsPowerOfTen(int n)
    {
        while (n >= 10 && n % 10 == 0) n /= 10;
        return n == 1;
    }
}
