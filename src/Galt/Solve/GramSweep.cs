using System.Runtime.CompilerServices;

namespace Galt.Solve;

/// <summary>
/// Pass 2 of the fused local step (spec §1.1 Woodbury step 1), over one range of one tensor that constraint rows touch:
/// the Gram A_ij = ⟨J_i, J_j/D⟩ and τ_i = ⟨J_i, δ_b⟩ in float64, in the tensor path's symmetric form A = S Sᵀ,
/// τ = S·(δ_b√D) with S_i = J_i/√D (D floored), plus max|δ_b| and min D, which with A's diagonal bound the direction.
/// Up to four rows the sums stay in registers; more go through a scratch block and <see cref="GramTiles"/>. Generic
/// over the lane width (<see cref="IFloatLanes{TSelf, TWide}"/>, chosen per tensor by <see cref="FusedTensor.Wide"/>); compiled fully
/// optimised at first use, like <see cref="FusedSweeps"/>.
/// </summary>
internal static class GramSweep
{
    /// <summary>Elements per scratch block: the block's k + 2 widened rows stay in the core's L1/L2 cache.</summary>
    public const int BlockLength = 256;

    /// <summary>Doubles of scratch the Gram sweep needs for r rows: S_1..S_r and δ_b·√D, one block each.</summary>
    public static int ScratchLength(int r) => (r + 1) * BlockLength;

    /// <summary>
    /// Adds the Gram, τ and bounds of elements [start, start + length) of a tensor with constraint rows into
    /// <paramref name="sums"/>; <paramref name="scratch"/> holds <see cref="ScratchLength"/> doubles (used above four rows).
    /// </summary>
    public static void Run(FusedTensor t, int start, int length, GramSums sums, double[] scratch)
    {
        int body = LaneWidth.Body(length, t.Wide);
        if (t.Wide) Run<Lanes512, Wide512>(t, start, body, sums, scratch);
        else Run<Lanes256, Wide256>(t, start, body, sums, scratch);
        if (body < length) Run<OneLane, OneWide>(t, start + body, length - body, sums, scratch);
    }

    private static void Run<TF, TD>(FusedTensor t, int start, int length, GramSums sums, double[] scratch)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        switch (t.Rows.Length)
        {
            case 1: Products<TF, TD, OneRow>(t, start, length, sums); break;
            case 2: Products<TF, TD, TwoRows>(t, start, length, sums); break;
            case 3: Products<TF, TD, ThreeRows>(t, start, length, sums); break;
            case 4: Products<TF, TD, FourRows>(t, start, length, sums); break;
            default: GramThroughScratch<TF, TD>(t, start, length, sums, scratch); break;
        }
    }

    /// <summary>
    /// Up to four rows: the ten products and four τ fit in registers, so the sweep reads every stream in step, one
    /// vector of elements at a time, and stores nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Products<TF, TD, TRows>(FusedTensor t, int start, int length, GramSums sums)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD> where TRows : IRowCount
    {
        // Fourteen separate locals with one call site, not a struct: the JIT keeps these in registers.
        TD a00 = default, a01 = default, a02 = default, a03 = default, a11 = default, a12 = default, a13 = default,
            a22 = default, a23 = default, a33 = default, t0 = default, t1 = default, t2 = default, t3 = default;
        var adam = new AdamLanes<TF, TD>(t.Adam);
        var floor = TF.Create(t.Floor);
        var baseMax = TF.Create(0);
        var metricMin = TF.Create(float.PositiveInfinity);
        for (int i = start, end = start + length; i < end; i += TF.Width)
            ProductsAt<TF, TD, TRows>(t, in adam, floor, i, ref a00, ref a01, ref a02, ref a03, ref a11, ref a12, ref a13, ref a22, ref a23, ref a33,
                ref t0, ref t1, ref t2, ref t3, ref baseMax, ref metricMin);
        int r = TRows.Count;
        ReadOnlySpan<TD> pairs = [a00, a01, a02, a03, a11, a12, a13, a22, a23, a33];
        ReadOnlySpan<TD> tau = [t0, t1, t2, t3];
        for (int x = 0, at = 0; x < 4; x++)
            for (int y = x; y < 4; y++, at++)
                if (y < r) sums.Gram[x * r + y] += TD.Sum(pairs[at]);
        for (int x = 0; x < r; x++) sums.Tau[x] += TD.Sum(tau[x]);
        AddBounds<TF, TD>(sums, baseMax, metricMin);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ProductsAt<TF, TD, TRows>(FusedTensor t, in AdamLanes<TF, TD> adam, TF floor, int i, ref TD a00, ref TD a01, ref TD a02,
        ref TD a03, ref TD a11, ref TD a12, ref TD a13, ref TD a22, ref TD a23, ref TD a33, ref TD t0, ref TD t1, ref TD t2, ref TD t3,
        ref TF baseMax, ref TF metricMin)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD> where TRows : IRowCount
    {
        var (inverseLow, inverseHigh, rLow, rHigh) = Scaling(t, in adam, floor, i, ref baseMax, ref metricMin);
        // Lanes that repeat one element (a tensor's last few) must count once: Distinct zeroes all but the first.
        var (s0Low, s0High) = Scaled(TF.Distinct(TF.Load(t.Rows[0], i)), inverseLow, inverseHigh);
        a00 = Both(s0Low, s0High, s0Low, s0High, a00);
        t0 = Both(s0Low, s0High, rLow, rHigh, t0);
        if (TRows.Count >= 2)
        {
            var (s1Low, s1High) = Scaled(TF.Distinct(TF.Load(t.Rows[1], i)), inverseLow, inverseHigh);
            a01 = Both(s0Low, s0High, s1Low, s1High, a01);
            a11 = Both(s1Low, s1High, s1Low, s1High, a11);
            t1 = Both(s1Low, s1High, rLow, rHigh, t1);
            if (TRows.Count >= 3)
            {
                var (s2Low, s2High) = Scaled(TF.Distinct(TF.Load(t.Rows[2], i)), inverseLow, inverseHigh);
                a02 = Both(s0Low, s0High, s2Low, s2High, a02);
                a12 = Both(s1Low, s1High, s2Low, s2High, a12);
                a22 = Both(s2Low, s2High, s2Low, s2High, a22);
                t2 = Both(s2Low, s2High, rLow, rHigh, t2);
                if (TRows.Count >= 4)
                {
                    var (s3Low, s3High) = Scaled(TF.Distinct(TF.Load(t.Rows[3], i)), inverseLow, inverseHigh);
                    a03 = Both(s0Low, s0High, s3Low, s3High, a03);
                    a13 = Both(s1Low, s1High, s3Low, s3High, a13);
                    a23 = Both(s2Low, s2High, s3Low, s3High, a23);
                    a33 = Both(s3Low, s3High, s3Low, s3High, a33);
                    t3 = Both(s3Low, s3High, rLow, rHigh, t3);
                }
            }
        }
    }

    /// <summary>J/√D in float64, both halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TD Low, TD High) Scaled<TF, TD>(TF j, TD inverseLow, TD inverseHigh)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var (low, high) = TF.Widen(j);
        return (low * inverseLow, high * inverseHigh);
    }

    /// <summary>sum + x·y over both halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Both<TD>(TD xLow, TD xHigh, TD yLow, TD yHigh, TD sum) where TD : struct, IWideLanes<TD> =>
        TD.FusedMultiplyAdd(xHigh, yHigh, TD.FusedMultiplyAdd(xLow, yLow, sum));

    /// <summary>
    /// More than four rows: per block, widen S_i and δ_b·√D into scratch, one Jacobian row at a time so each is read
    /// from memory in one run, then let <see cref="GramTiles"/> multiply them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GramThroughScratch<TF, TD>(FusedTensor t, int start, int length, GramSums sums, double[] scratch)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        int r = t.Rows.Length, end = start + length;
        var adam = new AdamLanes<TF, TD>(t.Adam);
        var floor = TF.Create(t.Floor);
        var baseMax = TF.Create(0);
        var metricMin = TF.Create(float.PositiveInfinity);
        for (int block = start; block < end; block += BlockLength)
        {
            // A range is whole vectors, or single elements (a tensor's last few): n is a multiple of the width.
            int n = Math.Min(BlockLength, end - block);
            for (int e = 0; e < n; e += TF.Width) FillAt(t, in adam, floor, block + e, e, scratch, ref baseMax, ref metricMin);
            int padded = (n + TD.Count - 1) / TD.Count * TD.Count;
            if (padded > n)
                for (int row = 0; row <= r; row++) Array.Clear(scratch, row * BlockLength + n, padded - n);
            GramTiles.Accumulate<TD>(scratch, r, BlockLength, padded, sums.Gram, sums.Tau);
        }
        AddBounds<TF, TD>(sums, baseMax, metricMin);
    }

    /// <summary>max|δ_b| and min D of a range into <paramref name="sums"/>.</summary>
    private static void AddBounds<TF, TD>(GramSums sums, TF baseMax, TF metricMin)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        sums.BaseMax = Math.Max(sums.BaseMax, TF.LargestLane(baseMax));
        sums.MetricMin = Math.Min(sums.MetricMin, TF.SmallestLane(metricMin));
    }

    /// <summary>
    /// At element i (block column e): δ_b·√max(D, floor) into scratch row r, and S_x = J_x/√max(D, floor) into scratch row
    /// x for every row, the scale kept in registers across the rows (all rows advance together, element by element).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillAt<TF, TD>(FusedTensor t, in AdamLanes<TF, TD> adam, TF floor, int i, int e, double[] scratch, ref TF baseMax, ref TF metricMin)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var rows = t.Rows;
        int r = rows.Length;
        var (inverseLow, inverseHigh, rLow, rHigh) = Scaling(t, in adam, floor, i, ref baseMax, ref metricMin);
        TF.StoreWide(scratch, r * BlockLength + e, rLow, rHigh);
        for (int x = 0; x < r; x++)
        {
            var (jLow, jHigh) = TF.Widen(TF.Load(rows[x], i));
            TF.StoreWide(scratch, x * BlockLength + e, jLow * inverseLow, jHigh * inverseHigh);
        }
    }

    /// <summary>
    /// 1/√D and δ_b·√D at element i in float64 (both halves; D floored; lanes that repeat one element zeroed in the
    /// latter), and max|δ_b| and min D updated: what both variants scale the rows by.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TD InverseLow, TD InverseHigh, TD RhsLow, TD RhsHigh) Scaling<TF, TD>(FusedTensor t, in AdamLanes<TF, TD> adam, TF floor, int i,
        ref TF baseMax, ref TF metricMin) where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var (b, d) = t.BaseAndMetric(in adam, i);
        baseMax = TF.MaxNative(baseMax, TF.Abs(b));
        var floored = TF.MaxNative(d, floor);
        metricMin = TF.MinNative(metricMin, floored);
        var (dLow, dHigh) = TF.Widen(floored);
        // 1/√D to float64 accuracy: the hardware's estimate (relative error below 2⁻¹¹), refined by two Newton steps
        // (→ ~3e-7 → ~1e-13; from the 14-bit estimate of 512-bit lanes ~6e-9 → below float64's rounding), without the
        // square root and division that would queue on the divider behind the metric's own.
        var (estimateLow, estimateHigh) = TF.Widen(TF.InverseSqrtEstimate(floored));
        var (inverseLow, inverseHigh) = (InverseRoot(dLow, InverseRoot(dLow, estimateLow)), InverseRoot(dHigh, InverseRoot(dHigh, estimateHigh)));
        // δ_b·√D = δ_b·D·(1/√D).
        var (bLow, bHigh) = TF.Widen(TF.Distinct(b));
        return (inverseLow, inverseHigh, bLow * dLow * inverseLow, bHigh * dHigh * inverseHigh);
    }

    /// <summary>One Newton step for y = 1/√d from estimate y₀: y₀·(3 − d·y₀²)/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD InverseRoot<TD>(TD d, TD y) where TD : struct, IWideLanes<TD> =>
        y * TD.FusedMultiplyAdd(-d * y, y, TD.Create(3.0)) * TD.Create(0.5);
}


/// <summary>
/// Pass 2's sums over a range of one tensor with r constraint rows: the Gram (r×r row-major, i ≤ j), τ, and the
/// magnitudes min D and max|δ_b| that, with the Gram's diagonal, bound the direction before anything is written.
/// </summary>
internal sealed class GramSums
{
    /// <summary>Zero sums for r rows.</summary>
    public GramSums(int r)
    {
        Gram = new double[r * r];
        Tau = new double[r];
    }

    /// <summary>A_ij = ⟨J_i, J_j/D⟩ for i ≤ j, row-major.</summary>
    public double[] Gram { get; }

    /// <summary>τ_i = ⟨J_i, δ_b⟩.</summary>
    public double[] Tau { get; }

    /// <summary>min max(D, floor).</summary>
    public double MetricMin { get; set; } = double.PositiveInfinity;

    /// <summary>max|δ_b|.</summary>
    public double BaseMax { get; set; }

    /// <summary>Adds <paramref name="other"/> (sums add, maxima take the larger; NaN stays NaN).</summary>
    public void Add(GramSums other)
    {
        for (int i = 0; i < Gram.Length; i++) Gram[i] += other.Gram[i];
        for (int i = 0; i < Tau.Length; i++) Tau[i] += other.Tau[i];
        BaseMax = Math.Max(BaseMax, other.BaseMax);
        MetricMin = Math.Min(MetricMin, other.MetricMin);
    }

    /// <summary>A_ii = ⟨J_i, J_i/D⟩.</summary>
    public double Diagonal(int i) => Gram[i * Tau.Length + i];

    /// <summary>The full symmetric Gram as a matrix.</summary>
    public double[,] Matrix()
    {
        int r = Tau.Length;
        var a = new double[r, r];
        for (int i = 0; i < r; i++)
            for (int j = i; j < r; j++)
                a[i, j] = a[j, i] = Gram[i * r + j];
        return a;
    }
}

/// <summary>The number of constraint rows a register-resident Gram sweep is specialised for (1–4).</summary>
internal interface IRowCount
{
    /// <summary>Rows.</summary>
    static abstract int Count { get; }
}

internal readonly struct OneRow : IRowCount { public static int Count => 1; }

internal readonly struct TwoRows : IRowCount { public static int Count => 2; }

internal readonly struct ThreeRows : IRowCount { public static int Count => 3; }

internal readonly struct FourRows : IRowCount { public static int Count => 4; }
