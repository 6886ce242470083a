using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The force increase that lands a linearised step on its targets (docs/feasibility.md §3.2): a step's direction is affine
/// in the constraint forces (spec §1.1), so raising the forces by Δ lowers the predicted post-step values by lr·M·Δ with
/// M = J A⁻¹ Jᵀ. Given per-row gaps g (in force units: the wanted decrease over lr), this finds Δ with (M Δ)_i = g_i on
/// the rows it may move, and for inequalities the complementarity λ_i + Δ_i ≥ 0, a row pinned at λ_i + Δ_i = 0 only
/// while its gap is met: a k×k linear complementarity problem solved by active-set iterations (k is small). The
/// linearised multiplier rules, the step contract and feasibility restoration all use it.
/// </summary>
internal static class ForceCorrection
{
    /// <summary>
    /// Δ for <paramref name="gap"/> over the rows marked in <paramref name="eligible"/> (others get 0), with
    /// λ + Δ ≥ 0 on inequality rows (<paramref name="lambdas"/> the current multipliers or forces).
    /// </summary>
    public static double[] Solve(IReadOnlyList<ConstraintKind> kinds, IReadOnlyList<double> lambdas, double[,] sensitivity, double[] gap, bool[] eligible) =>
        Solve(kinds, lambdas, sensitivity, gap, eligible, out _);

    /// <summary>As <see cref="Solve(IReadOnlyList{ConstraintKind}, IReadOnlyList{double}, double[,], double[], bool[])"/>; <paramref name="free"/> says which rows ended free (not pinned at λ + Δ = 0).</summary>
    public static double[] Solve(IReadOnlyList<ConstraintKind> kinds, IReadOnlyList<double> lambdas, double[,] sensitivity, double[] gap, bool[] eligible, out bool[] free)
    {
        int k = kinds.Count;
        var delta = new double[k];
        free = (bool[])eligible.Clone();
        var atZero = new bool[k];
        // Solve the free rows, pin the most negative inequality multiplier at zero, re-admit a pinned row whose gap the
        // others no longer close.
        for (int iteration = 0; iteration < 4 * k + 4; iteration++)
        {
            SolveRows(lambdas, sensitivity, gap, free, atZero, delta);
            int worst = -1;
            for (int i = 0; i < k; i++)
                if (free[i] && kinds[i] == ConstraintKind.Inequality && lambdas[i] + delta[i] < 0
                    && (worst < 0 || lambdas[i] + delta[i] < lambdas[worst] + delta[worst]))
                    worst = i;
            if (worst >= 0)
            {
                free[worst] = false; atZero[worst] = true;
                continue;
            }
            int readmit = -1;
            for (int i = 0; i < k; i++)
            {
                if (!atZero[i]) continue;
                double residual = gap[i];
                for (int j = 0; j < k; j++) residual -= sensitivity[i, j] * delta[j];
                if (residual > 1e-12 * Math.Abs(gap[i]) + 1e-15) { readmit = i; break; }
            }
            if (readmit < 0) break;
            atZero[readmit] = false; free[readmit] = true;
        }
        return delta;
    }

    /// <summary>Δ with (M Δ)_i = g_i on the rows in <paramref name="rows"/>, 0 elsewhere, without complementarity.</summary>
    public static double[] SolveRows(double[,] sensitivity, double[] gap, bool[] rows)
    {
        var delta = new double[gap.Length];
        SolveRows(new double[gap.Length], sensitivity, gap, rows, new bool[gap.Length], delta);
        return delta;
    }

    /// <summary>ΔᵀMΔ: how far the force increase Δ moves the step, squared, in the system's own metric (‖A⁻¹JᵀΔ‖²_A).</summary>
    public static double MetricLength(double[,] sensitivity, double[] delta)
    {
        double quadratic = 0;
        for (int i = 0; i < delta.Length; i++)
            for (int j = 0; j < delta.Length; j++) quadratic += delta[i] * sensitivity[i, j] * delta[j];
        return quadratic;
    }

    /// <summary>Whether the step can move row <paramref name="i"/>: its sensitivity is not negligible against the largest.</summary>
    public static bool Actionable(double[,] sensitivity, int i)
    {
        double scale = 0;
        for (int j = 0; j < sensitivity.GetLength(0); j++) scale = Math.Max(scale, sensitivity[j, j]);
        return scale > 0 && sensitivity[i, i] > InactionableRatio * scale;
    }

    /// <summary>Relative size below which a constraint's sensitivity counts as zero (the step cannot move it).</summary>
    public const double InactionableRatio = 1e-12;

    /// <summary>Δ for the free rows from M_FF Δ_F = gap_F − M_F,Z Δ_Z, with Δ_Z = −λ_Z for rows pinned at zero, 0 for the rest.</summary>
    private static void SolveRows(IReadOnlyList<double> lambdas, double[,] m, double[] gap, bool[] free, bool[] atZero, double[] delta)
    {
        int k = gap.Length;
        for (int i = 0; i < k; i++) delta[i] = atZero[i] ? -lambdas[i] : 0;
        var rows = Enumerable.Range(0, k).Where(i => free[i]).ToArray();
        if (rows.Length == 0) return;
        int n = rows.Length;
        var s = new double[n, n];
        var r = new double[n];
        double trace = 0;
        for (int a = 0; a < n; a++) trace += m[rows[a], rows[a]];
        for (int a = 0; a < n; a++)
        {
            r[a] = gap[rows[a]];
            for (int j = 0; j < k; j++) if (atZero[j]) r[a] -= m[rows[a], j] * delta[j];
            for (int b = 0; b < n; b++) s[a, b] = m[rows[a], rows[b]];
            // A whisper of ridge keeps nearly parallel Jacobians solvable (their shared direction gets the force).
            s[a, a] += 1e-10 * trace / n;
        }
        var x = Galt.Solve.SymmetricSystem.Solve(s, r);
        for (int a = 0; a < n; a++) delta[rows[a]] = x[a];
    }
}
