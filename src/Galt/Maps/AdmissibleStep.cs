using Galt.Solve;

namespace Galt.Maps;

/// <summary>
/// The admissibility problem of one site, in the coefficients y of Δ = D⁻¹ Jᵀ y (the least-metric step lies in that
/// span, and J Δ = G y): minimise ‖G_T y − r‖² + ‖(G_I y − b)₊‖², and among the minimisers the least ‖Δ‖_D. An active
/// set over the protect rows: the rows held at their bound are solved with the targets as least squares of least norm
/// (G_AA⁺); a violated row joins, a held row that is satisfied and pushes the wrong way (y_i &gt; 0) leaves.
/// </summary>
internal static class AdmissibleStep
{
    public static (double[] Y, double Residual, bool Converged) Solve(double[,] gram, IReadOnlyList<MapRow> rows)
    {
        int k = rows.Count;
        var targets = Enumerable.Range(0, k).Where(i => rows[i].Role == MapRowRole.Target).ToArray();
        var protect = Enumerable.Range(0, k).Where(i => rows[i].Role == MapRowRole.Protect).ToArray();
        double scale = Math.Max(1, rows.Where(r => r.Role != MapRowRole.Channel).Select(r => Math.Abs(r.Value)).DefaultIfEmpty(0).Max());
        double tolerance = 1e-10 * scale;
        var held = new SortedSet<int>();
        var y = new double[k];
        double[] moved = new double[k];
        bool converged = false;
        for (int iteration = 0; iteration < 4 * k + 10; iteration++)
        {
            var active = targets.Concat(held).OrderBy(i => i).ToArray();
            y = Coefficients(gram, rows, active, k);
            moved = Multiply(gram, y);
            var violated = protect.Where(i => !held.Contains(i) && moved[i] - rows[i].Value > tolerance).ToArray();
            var slack = held.Where(i => y[i] > tolerance && moved[i] - rows[i].Value <= tolerance).ToArray();
            if (violated.Length == 0 && slack.Length == 0)
            {
                converged = true;
                break;
            }
            foreach (int i in violated) held.Add(i);
            if (violated.Length == 0) held.Remove(slack.OrderByDescending(i => y[i]).First());
        }
        double residual = 0;
        foreach (int i in targets) residual += Square(moved[i] - rows[i].Value);
        foreach (int i in protect) residual += Square(Math.Max(0, moved[i] - rows[i].Value));
        return (y, Math.Sqrt(residual), converged);
    }

    /// <summary>y over the rows <paramref name="active"/> (0 elsewhere): G_AA⁺ t_A, t = r on targets, b on protect rows.</summary>
    public static double[] Coefficients(double[,] gram, IReadOnlyList<MapRow> rows, int[] active, int k)
    {
        var sub = new double[active.Length, active.Length];
        var t = new double[active.Length];
        for (int a = 0; a < active.Length; a++)
        {
            t[a] = rows[active[a]].Value;
            for (int b = 0; b < active.Length; b++) sub[a, b] = gram[active[a], active[b]];
        }
        var ya = SymmetricSystem.PseudoSolve(sub, t);
        var y = new double[k];
        for (int a = 0; a < active.Length; a++) y[active[a]] = ya[a];
        return y;
    }

    /// <summary>G·y: J_i Δ for every row i.</summary>
    public static double[] Multiply(double[,] gram, double[] y)
    {
        int k = y.Length;
        var result = new double[k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) result[i] += gram[i, j] * y[j];
        return result;
    }

    private static double Square(double x) => x * x;
}
