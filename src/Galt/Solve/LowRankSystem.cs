namespace Galt.Solve;

/// <summary>
/// The k×k float64 half of the local solve (spec §1.1), shared by <see cref="LowRankSolve"/> (tensor path) and
/// <see cref="FusedLocalStep"/> (fused CPU path): given, for some constraint rows, the Gram A_ij = ⟨J_i, J_j/D⟩ and
/// τ_i = ⟨J_i, δ_b⟩, it finds the coefficients c of δ = δ_b − Σ_i c_i J_i/D (Sherman–Morrison for one row, Woodbury
/// otherwise), or says that the sequential fallback is needed; and it gives the sensitivity and ⟨J_i, δ⟩ from A alone.
/// Pure: it never sees a parameter-sized tensor.
/// </summary>
internal static class LowRankSystem
{
    /// <summary>spec §1.1: the release adds 1e-10 to the Sherman–Morrison denominator.</summary>
    public const double ShermanMorrisonGuard = 1e-10;

    /// <summary>spec §1.1 step 2: 1/max(ρ, 1e-10) in S and r.</summary>
    public const double StiffnessFloor = 1e-10;

    /// <summary>
    /// A NaN or Inf anywhere in J_i shows up in ⟨J_i, J_i/D⟩ (a sum of squares) or ⟨J_i, δ_b⟩, so checking the k×k
    /// system costs nothing extra. The caller checks D and δ_b first, so a non-finite value here is J_i's.
    /// </summary>
    public static void RequireFinite(IReadOnlyList<string> names, int i, double alpha, double tau)
    {
        if (!double.IsFinite(alpha) || !double.IsFinite(tau))
            throw new NonFiniteValueException(names[i], $"the Jacobian of constraint '{names[i]}' contains NaN or Inf (⟨J, J/D⟩ = {alpha}, ⟨J, δ_b⟩ = {tau}).");
    }

    /// <summary><see cref="RequireFinite(IReadOnlyList{string}, int, double, double)"/> for every row, in order.</summary>
    public static void RequireFinite(IReadOnlyList<string> names, int[] rows, double[,] gram, double[] tau)
    {
        for (int x = 0; x < rows.Length; x++) RequireFinite(names, rows[x], gram[x, x], tau[x]);
    }

    /// <summary>
    /// The coefficients c for rows <paramref name="rows"/> (constraint indices into <paramref name="stiffness"/> and
    /// <paramref name="force"/>): Sherman–Morrison for one row, Woodbury for several; <see cref="Coefficients.C"/> is
    /// null when the caller must take the sequential per-tensor Sherman–Morrison path instead (Woodbury disabled, or
    /// cond₂(S) above the limit: the release's conditioning fallback).
    /// </summary>
    public static Coefficients Solve(int[] rows, double[,] gram, double[] tau, IReadOnlyList<double> stiffness, IReadOnlyList<double> force, LowRankSolveOptions options)
    {
        int k = rows.Length;
        if (k >= 2 && !options.UseWoodbury) return new Coefficients(null, SolvePath.SequentialShermanMorrison, double.NaN);
        if (k == 1)
        {
            // Sherman–Morrison: c = (f + ρτ) / (1 + ρα).
            double rho = stiffness[rows[0]], f = force[rows[0]];
            return new Coefficients(new[] { (f + rho * tau[0]) / (1 + rho * gram[0, 0] + ShermanMorrisonGuard) }, SolvePath.ShermanMorrison, double.NaN);
        }
        var (s, r) = WoodburySystem(rows, gram, tau, stiffness, force);
        double cond = SymmetricSystem.ConditionNumber(s);
        if (!(cond <= options.ConditionLimit)) return new Coefficients(null, SolvePath.SequentialShermanMorrison, cond);
        return new Coefficients(SymmetricSystem.Solve(s, r), SolvePath.Woodbury, cond);
    }

    /// <summary>⟨J_i, δ⟩ = τ_i − (A c)_i added into <paramref name="dots"/> at the rows' constraint indices: the solve already holds every inner product it needs.</summary>
    public static void AddProjections(int[] rows, double[,] gram, double[] tau, double[] c, double[] dots)
    {
        for (int x = 0; x < rows.Length; x++)
        {
            double ac = 0;
            for (int y = 0; y < rows.Length; y++) ac += gram[x, y] * c[y];
            dots[rows[x]] += tau[x] - ac;
        }
    }

    /// <summary>
    /// Adds M = J A⁻¹ Jᵀ of the rows <paramref name="rows"/> (A = D + Σ ρ_i J_i J_iᵀ) into <paramref name="sensitivity"/>:
    /// by Woodbury, M = G − G S⁻¹ G with G = J D⁻¹ Jᵀ (the Gram <paramref name="gram"/>) and S = diag(1/ρ) + G.
    /// ⟨J_i, δ⟩ falls by (M Δf)_i when the forces grow by Δf: the solve is affine in f.
    /// </summary>
    public static void AddSensitivity(int[] rows, double[,] gram, IReadOnlyList<double> stiffness, double[,] sensitivity)
    {
        int k = rows.Length;
        var s = (double[,])gram.Clone();
        for (int i = 0; i < k; i++) s[i, i] += 1 / Math.Max(stiffness[rows[i]], StiffnessFloor);
        for (int col = 0; col < k; col++)
        {
            var g = new double[k];
            for (int i = 0; i < k; i++) g[i] = gram[i, col];
            double[] x;
            try { x = SymmetricSystem.Solve(s, g); }
            catch (ArithmeticException) { x = new double[k]; }
            for (int i = 0; i < k; i++)
            {
                double gsg = 0;
                for (int m = 0; m < k; m++) gsg += gram[i, m] * x[m];
                sensitivity[rows[i], rows[col]] += gram[i, col] - gsg;
            }
        }
    }

    /// <summary>spec §1.1 step 2: S = diag(1/ρ_i) + A, r = f/ρ + τ, with 1/max(ρ_i, 1e-10).</summary>
    private static (double[,] S, double[] R) WoodburySystem(int[] rows, double[,] a, double[] tau, IReadOnlyList<double> stiffness, IReadOnlyList<double> force)
    {
        int k = rows.Length;
        var s = (double[,])a.Clone();
        var r = new double[k];
        for (int i = 0; i < k; i++)
        {
            double inv = 1 / Math.Max(stiffness[rows[i]], StiffnessFloor);
            s[i, i] += inv;
            r[i] = force[rows[i]] * inv + tau[i];
        }
        return (s, r);
    }
}

/// <summary>What <see cref="LowRankSystem.Solve"/> decided for a set of rows.</summary>
/// <param name="C">The coefficients c (in row order), or null when the sequential fallback must produce the direction.</param>
/// <param name="Path">Sherman–Morrison, Woodbury, or sequential Sherman–Morrison.</param>
/// <param name="ConditionNumber">cond₂(S) when a Woodbury system was formed; NaN otherwise.</param>
internal readonly record struct Coefficients(double[]? C, SolvePath Path, double ConditionNumber);
