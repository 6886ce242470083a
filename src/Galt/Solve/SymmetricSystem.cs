namespace Galt.Solve;

/// <summary>
/// The small dense k×k float64 algebra of the Woodbury solve and the neural map: 2-norm condition number of a symmetric
/// matrix (eigenvalues by cyclic Jacobi rotations), a linear solve (Gaussian elimination with partial pivoting) and a
/// pseudo-inverse solve (through the eigenvectors).
/// k is the number of constraints on a block (≤ a few dozen), so plain C# beats a round trip through libtorch.
/// </summary>
internal static class SymmetricSystem
{
    /// <summary>
    /// σ_max / σ_min of a symmetric matrix (= max|eig| / min|eig|), as numpy.linalg.cond computes it (spec §1.1 step 3).
    /// Infinity when the matrix is singular; NaN propagates.
    /// </summary>
    public static double ConditionNumber(double[,] symmetric)
    {
        var eig = Eigenvalues(symmetric);
        double max = 0, min = double.PositiveInfinity;
        foreach (var e in eig)
        {
            if (double.IsNaN(e)) return double.NaN;
            double a = Math.Abs(e);
            max = Math.Max(max, a);
            min = Math.Min(min, a);
        }
        return min == 0 ? double.PositiveInfinity : max / min;
    }

    /// <summary>Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (accurate to rounding for small k).</summary>
    public static double[] Eigenvalues(double[,] symmetric) => Eigen(symmetric, vectors: false).Values;

    /// <summary>
    /// Eigenvalues and, when <paramref name="vectors"/>, eigenvectors (column j of <c>Vectors</c> belongs to value j) of a
    /// symmetric matrix by cyclic Jacobi rotations.
    /// </summary>
    public static (double[] Values, double[,]? Vectors) Eigen(double[,] symmetric, bool vectors = true)
    {
        int n = symmetric.GetLength(0);
        if (symmetric.GetLength(1) != n) throw new ArgumentException($"matrix is {n}x{symmetric.GetLength(1)}, not square.", nameof(symmetric));
        var a = (double[,])symmetric.Clone();
        double[,]? v = null;
        if (vectors)
        {
            v = new double[n, n];
            for (int i = 0; i < n; i++) v[i, i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += a[i, i] * a[i, i];
                for (int j = i + 1; j < n; j++) off += a[i, j] * a[i, j];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    if (v is null) continue;
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = a[i, i];
        return (result, v);
    }

    /// <summary>
    /// x = S⁺·r, the least-squares solution of least norm of S·x = r for a symmetric positive semidefinite S:
    /// eigenvalues at or below <paramref name="relativeTolerance"/> × the largest count as zero.
    /// </summary>
    public static double[] PseudoSolve(double[,] s, double[] r, double relativeTolerance = 1e-12)
    {
        int n = r.Length;
        if (n == 0) return Array.Empty<double>();
        var (values, vectors) = Eigen(s);
        double cut = relativeTolerance * values.Max(Math.Abs);
        var x = new double[n];
        for (int j = 0; j < n; j++)
        {
            if (values[j] <= cut || values[j] <= 0) continue;
            double dot = 0;
            for (int i = 0; i < n; i++) dot += vectors![i, j] * r[i];
            dot /= values[j];
            for (int i = 0; i < n; i++) x[i] += vectors![i, j] * dot;
        }
        return x;
    }

    /// <summary>Solves S·x = r by Gaussian elimination with partial pivoting.</summary>
    public static double[] Solve(double[,] s, double[] r)
    {
        int n = r.Length;
        if (s.GetLength(0) != n || s.GetLength(1) != n)
            throw new ArgumentException($"system matrix is {s.GetLength(0)}x{s.GetLength(1)} but the right-hand side has {n} entries.");
        var a = (double[,])s.Clone();
        var b = (double[])r.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < n; row++)
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col])) pivot = row;
            if (a[pivot, col] == 0) throw new ArithmeticException("singular Woodbury system: a zero pivot in column " + col + ".");
            if (pivot != col)
            {
                for (int k = 0; k < n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                (b[col], b[pivot]) = (b[pivot], b[col]);
            }
            for (int row = col + 1; row < n; row++)
            {
                double factor = a[row, col] / a[col, col];
                if (factor == 0) continue;
                for (int k = col; k < n; k++) a[row, k] -= factor * a[col, k];
                b[row] -= factor * b[col];
            }
        }
        var x = new double[n];
        for (int row = n - 1; row >= 0; row--)
        {
            double sum = b[row];
            for (int k = row + 1; k < n; k++) sum -= a[row, k] * x[k];
            x[row] = sum / a[row, row];
        }
        return x;
    }
}
