using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// The passes of the fused local step over one range of one tensor (issue 20): each reads and writes parameter-sized
/// memory once, in SIMD lanes, and returns small float64 sums for the caller to reduce in a fixed order.
/// <list type="number">
/// <item><see cref="Moments"/>: m′, v′ into the spare buffers; whether δ_b is finite; Σ D for the metric floor.</item>
/// <item><see cref="Gram"/>: A_ij = ⟨J_i, J_j/D⟩, τ_i = ⟨J_i, δ_b⟩ (float64) and the magnitudes that bound the direction.</item>
/// <item><see cref="Write"/>: θ ← θ(1 − lr·wd) + lr·(δ_b − Σ_i c_i J_i/D), the correction in float64.</item>
/// </list>
/// The sweeps are compiled fully optimised at first use (<see cref="MethodImplOptions.AggressiveOptimization"/>): a
/// step calls each a few dozen times, too few for tiered compilation to promote them before they matter.
/// </summary>
internal static class FusedSweeps
{
    /// <summary>Elements per Gram block: the block's widened rows (2k + 1 of them) stay in the core's L1/L2 cache.</summary>
    public const int BlockLength = 256;

    /// <summary>Pass 1: the Adam moments of elements [start, start + length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MomentSums Moments(FusedTensor t, int start, int length, bool sumMetric)
    {
        Vector256<float> invalid = Vector256<float>.Zero;
        Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
        int end = start + length, i = start;
        for (; i + EightLanes.Width <= end; i += EightLanes.Width) MomentsAt<EightLanes>(t, i, sumMetric, ref invalid, ref low, ref high);
        for (; i < end; i++) MomentsAt<OneLane>(t, i, sumMetric, ref invalid, ref low, ref high);
        return new MomentSums(Vector256.Sum(low + high), Vector256.EqualsAll(invalid, Vector256<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MomentsAt<TAccess>(FusedTensor t, int i, bool sumMetric, ref Vector256<float> invalid, ref Vector256<double> low, ref Vector256<double> high)
        where TAccess : ILaneAccess
    {
        ref readonly var adam = ref t.Adam;
        var g = TAccess.Load(t.Gradient, i);
        var (m, v) = adam.FirstStep ? adam.Moments(g, default, default) : adam.Moments(g, TAccess.Load(t.FirstMoment, i), TAccess.Load(t.SecondMoment, i));
        TAccess.Store(t.NextFirstMoment, i, m);
        TAccess.Store(t.NextSecondMoment, i, v);
        var d = adam.Metric(v);
        var b = adam.Base(m, d);
        // b − b is 0 where δ_b is finite and NaN where it is not (a NaN or Inf in g reaches it): one check for the tensor.
        invalid += b - b;
        if (!sumMetric) return;
        var (l, h) = Vector256.Widen(TAccess.Distinct(d));
        low += l;
        high += h;
    }

    /// <summary>Doubles of scratch the Gram sweep needs for r rows: S_1..S_r, δ_b·√D and 1/√D, one block each.</summary>
    public static int ScratchLength(int r) => (r + 2) * BlockLength;

    /// <summary>
    /// Pass 2: adds the Gram, τ and bounds of elements [start, start + length) of a tensor with constraint rows into
    /// <paramref name="sums"/>, through <paramref name="scratch"/> (<see cref="ScratchLength"/> doubles). Per block it
    /// widens S_i = J_i/√D and δ_b·√D to float64 (the tensor path's scaled rows: A = S Sᵀ, τ_i = ⟨S_i, δ_b√D⟩), one
    /// Jacobian row at a time so each is read from memory in one run, then <see cref="GramTiles"/> multiplies them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gram(FusedTensor t, int start, int length, GramSums sums, double[] scratch)
    {
        int r = t.Rows.Length, end = start + length;
        var baseMax = Vector256<float>.Zero;
        var metricMin = Vector256.Create(float.PositiveInfinity);
        for (int block = start; block < end; block += BlockLength)
        {
            int n = Math.Min(BlockLength, end - block), e = 0;
            for (; e + EightLanes.Width <= n; e += EightLanes.Width) ScaleAt<EightLanes>(t, block + e, e, scratch, ref baseMax, ref metricMin);
            for (; e < n; e++) ScaleAt<OneLane>(t, block + e, e, scratch, ref baseMax, ref metricMin);
            for (int x = 0; x < r; x++)
            {
                for (e = 0; e + EightLanes.Width <= n; e += EightLanes.Width) RowAt<EightLanes>(t.Rows[x], block + e, e, x, r, scratch);
                for (; e < n; e++) RowAt<OneLane>(t.Rows[x], block + e, e, x, r, scratch);
            }
            int padded = (n + 3) & ~3;
            for (int row = 0; row <= r; row++) Array.Clear(scratch, row * BlockLength + n, padded - n);
            GramTiles.Accumulate(scratch, r, BlockLength, padded, sums.Gram, sums.Tau);
        }
        sums.BaseMax = Math.Max(sums.BaseMax, LargestLane(baseMax));
        sums.MetricMin = Math.Min(sums.MetricMin, -LargestLane(-metricMin));
    }

    private static double LargestLane(Vector256<float> v)
    {
        double largest = double.NegativeInfinity;
        for (int lane = 0; lane < Vector256<float>.Count; lane++) largest = Math.Max(largest, v[lane]);
        return largest;
    }

    /// <summary>At element i (block column e): 1/√max(D, floor) into scratch row r + 1, δ_b·√max(D, floor) into row r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleAt<TAccess>(FusedTensor t, int i, int e, double[] scratch, ref Vector256<float> baseMax, ref Vector256<float> metricMin)
        where TAccess : ILaneAccess
    {
        int r = t.Rows.Length;
        var (b, d) = t.BaseAndMetric<TAccess>(i);
        baseMax = Vector256.MaxNative(baseMax, Vector256.Abs(b));
        var floored = Vector256.MaxNative(d, t.Floor);
        metricMin = Vector256.MinNative(metricMin, floored);
        var (dLow, dHigh) = Vector256.Widen(floored);
        var (rootLow, rootHigh) = (Vector256.Sqrt(dLow), Vector256.Sqrt(dHigh));
        TAccess.StoreWide(scratch, (r + 1) * BlockLength + e, Vector256<double>.One / rootLow, Vector256<double>.One / rootHigh);
        var (bLow, bHigh) = Vector256.Widen(b);
        TAccess.StoreWide(scratch, r * BlockLength + e, bLow * rootLow, bHigh * rootHigh);
    }

    /// <summary>S_x = J_x/√max(D, floor) at element i (block column e) into scratch row x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowAt<TAccess>(FloatMemory row, int i, int e, int x, int r, double[] scratch) where TAccess : ILaneAccess
    {
        var (jLow, jHigh) = Vector256.Widen(TAccess.Load(row, i));
        int scale = (r + 1) * BlockLength + e;
        TAccess.StoreWide(scratch, x * BlockLength + e, jLow * TAccess.LoadWide(scratch, scale), jHigh * TAccess.LoadWide(scratch, scale + Vector256<double>.Count));
    }

    /// <summary>
    /// Pass 3: writes <paramref name="output"/> = θ·<paramref name="decay"/> + <paramref name="learningRate"/>·δ over
    /// [start, start + length), δ = δ_b − (Σ_x c_x J_x)/max(D, floor) with <paramref name="coefficients"/> c per row of
    /// the tensor (none: δ = δ_b). The output is θ itself for the commit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(FusedTensor t, int start, int length, Vector256<double>[] coefficients, Vector256<float> decay, Vector256<float> learningRate, FloatMemory output)
    {
        int end = start + length, i = start;
        for (; i + EightLanes.Width <= end; i += EightLanes.Width) WriteAt<EightLanes>(t, i, coefficients, decay, learningRate, output);
        for (; i < end; i++) WriteAt<OneLane>(t, i, coefficients, decay, learningRate, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteAt<TAccess>(FusedTensor t, int i, Vector256<double>[] coefficients, Vector256<float> decay, Vector256<float> learningRate, FloatMemory output)
        where TAccess : ILaneAccess
    {
        var (delta, d) = t.BaseAndMetric<TAccess>(i);
        if (coefficients.Length > 0)
        {
            // spec §1.1: δ = δ_b − D⁻¹ Jᵀ c, in float64: where D is tiny (a coordinate no task gradient has reached)
            // the terms c_x J_x/D are large and cancel, and float32 would keep little of their difference.
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (int x = 0; x < coefficients.Length; x++)
            {
                var (jLow, jHigh) = Vector256.Widen(TAccess.Load(t.Rows[x], i));
                low = Vector256.FusedMultiplyAdd(coefficients[x], jLow, low);
                high = Vector256.FusedMultiplyAdd(coefficients[x], jHigh, high);
            }
            var (dLow, dHigh) = Vector256.Widen(Vector256.MaxNative(d, t.Floor));
            var (bLow, bHigh) = Vector256.Widen(delta);
            delta = Vector256.Narrow(bLow - low / dLow, bHigh - high / dHigh);
        }
        // θ ← θ(1 − lr·wd) + lr·δ.
        TAccess.Store(output, i, Vector256.FusedMultiplyAdd(learningRate, delta, TAccess.Load(t.Theta, i) * decay));
    }
}

/// <summary>Pass 1's sums over a range: Σ D (float64) and whether every δ_b was finite.</summary>
internal readonly record struct MomentSums(double MetricSum, bool Finite);

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
