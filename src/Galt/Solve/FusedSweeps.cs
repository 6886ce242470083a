using System.Runtime.CompilerServices;

namespace Galt.Solve;

/// <summary>
/// The elementwise passes of the fused local step over one range of one tensor: each reads and writes
/// parameter-sized memory once, in SIMD lanes of the machine's width (<see cref="FusedTensor.Wide"/>; a tensor's last few
/// elements one at a time, <see cref="OneLane"/>), and returns small float64 sums for the caller to reduce in a fixed
/// order.
/// <list type="number">
/// <item><see cref="Moments"/>: m′, v′ into the spare buffers; whether δ_b is finite; Σ D for the metric floor.</item>
/// <item><see cref="GramSweep"/>: A_ij = ⟨J_i, J_j/D⟩, τ_i = ⟨J_i, δ_b⟩ (float64) and the magnitudes that bound the direction.</item>
/// <item><see cref="Write"/>: θ ← θ(1 − lr·wd) + lr·(δ_b − Σ_i c_i J_i/D), the correction in float64.</item>
/// </list>
/// The sweeps are compiled fully optimised at first use (<see cref="MethodImplOptions.AggressiveOptimization"/>): a
/// step calls each a few dozen times, too few for tiered compilation to promote them before they matter.
/// </summary>
internal static class FusedSweeps
{
    /// <summary>Pass 1: the Adam moments of elements [start, start + length).</summary>
    public static MomentSums Moments(FusedTensor t, int start, int length, bool sumMetric)
    {
        int body = LaneWidth.Body(length, t.Wide);
        var sums = t.Wide ? Moments<Lanes512, Wide512>(t, start, body, sumMetric) : Moments<Lanes256, Wide256>(t, start, body, sumMetric);
        return body < length ? sums.Add(Moments<OneLane, OneWide>(t, start + body, length - body, sumMetric)) : sums;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static MomentSums Moments<TF, TD>(FusedTensor t, int start, int length, bool sumMetric)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var adam = new AdamLanes<TF, TD>(t.Adam);
        TF invalid = default;
        TD low = default, high = default;
        for (int i = start, end = start + length; i < end; i += TF.Width)
        {
            var g = TF.Load(t.Gradient, i);
            var (m, v) = adam.FirstStep ? adam.Moments(g, default, default) : adam.Moments(g, TF.Load(t.FirstMoment, i), TF.Load(t.SecondMoment, i));
            TF.Store(t.NextFirstMoment, i, m);
            TF.Store(t.NextSecondMoment, i, v);
            var d = adam.Metric(v);
            var b = adam.Base(m, d);
            // b − b is 0 where δ_b is finite and NaN where it is not (a NaN or Inf in g reaches it): one check for the tensor.
            invalid += b - b;
            if (!sumMetric) continue;
            var (l, h) = TF.Widen(TF.Distinct(d));
            low += l;
            high += h;
        }
        return new MomentSums(TD.Sum(low + high), TF.AllZero(invalid));
    }

    /// <summary>
    /// Pass 3: writes <paramref name="output"/> = θ·<paramref name="decay"/> + <paramref name="learningRate"/>·δ over
    /// [start, start + length), δ = δ_b − (Σ_x c_x J_x)/max(D, floor) with <paramref name="coefficients"/> c per row of
    /// the tensor (none: δ = δ_b). The output is θ itself for the commit.
    /// </summary>
    public static void Write(FusedTensor t, int start, int length, double[] coefficients, float decay, float learningRate, FloatMemory output)
    {
        int body = LaneWidth.Body(length, t.Wide);
        if (t.Wide) Write<Lanes512, Wide512>(t, start, body, coefficients, decay, learningRate, output);
        else Write<Lanes256, Wide256>(t, start, body, coefficients, decay, learningRate, output);
        if (body < length) Write<OneLane, OneWide>(t, start + body, length - body, coefficients, decay, learningRate, output);
    }

    private static void Write<TF, TD>(FusedTensor t, int start, int length, double[] coefficients, float decay, float learningRate, FloatMemory output)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        switch (coefficients.Length)
        {
            case 1: WriteRows<TF, TD, OneRow>(t, start, length, coefficients, decay, learningRate, output); return;
            case 2: WriteRows<TF, TD, TwoRows>(t, start, length, coefficients, decay, learningRate, output); return;
            case 3: WriteRows<TF, TD, ThreeRows>(t, start, length, coefficients, decay, learningRate, output); return;
            case 4: WriteRows<TF, TD, FourRows>(t, start, length, coefficients, decay, learningRate, output); return;
            default: WriteAnyRows<TF, TD>(t, start, length, coefficients, decay, learningRate, output); return;
        }
    }

    /// <summary>
    /// Pass 3 for up to four rows: the rows' memories and coefficients are held in locals for the whole range, as the
    /// Gram sweep does, instead of being fetched from their arrays at every element; the arithmetic and its order are
    /// <see cref="WriteAnyRows{TF, TD}"/>'s, so the result is the same to the bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteRows<TF, TD, TRows>(FusedTensor t, int start, int length, double[] coefficients, float decay, float learningRate,
        FloatMemory output) where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD> where TRows : IRowCount
    {
        var rows = t.Rows;
        FloatMemory r0 = rows[0], r1 = TRows.Count >= 2 ? rows[1] : default, r2 = TRows.Count >= 3 ? rows[2] : default, r3 = TRows.Count >= 4 ? rows[3] : default;
        TD c0 = TD.Create(coefficients[0]), c1 = TRows.Count >= 2 ? TD.Create(coefficients[1]) : default,
            c2 = TRows.Count >= 3 ? TD.Create(coefficients[2]) : default, c3 = TRows.Count >= 4 ? TD.Create(coefficients[3]) : default;
        var adam = new AdamLanes<TF, TD>(t.Adam);
        var (floor, decayLanes, rate) = (TF.Create(t.Floor), TF.Create(decay), TF.Create(learningRate));
        var theta = t.Theta;
        for (int i = start, end = start + length; i < end; i += TF.Width)
        {
            var (delta, d) = t.BaseAndMetric(in adam, i);
            var (jLow, jHigh) = TF.Widen(TF.Load(r0, i));
            var low = TD.FusedMultiplyAdd(c0, jLow, default);
            var high = TD.FusedMultiplyAdd(c0, jHigh, default);
            if (TRows.Count >= 2)
            {
                (jLow, jHigh) = TF.Widen(TF.Load(r1, i));
                low = TD.FusedMultiplyAdd(c1, jLow, low);
                high = TD.FusedMultiplyAdd(c1, jHigh, high);
            }
            if (TRows.Count >= 3)
            {
                (jLow, jHigh) = TF.Widen(TF.Load(r2, i));
                low = TD.FusedMultiplyAdd(c2, jLow, low);
                high = TD.FusedMultiplyAdd(c2, jHigh, high);
            }
            if (TRows.Count >= 4)
            {
                (jLow, jHigh) = TF.Widen(TF.Load(r3, i));
                low = TD.FusedMultiplyAdd(c3, jLow, low);
                high = TD.FusedMultiplyAdd(c3, jHigh, high);
            }
            TF.Store(output, i, TF.FusedMultiplyAdd(rate, Corrected<TF, TD>(delta, d, floor, low, high), TF.Load(theta, i) * decayLanes));
        }
    }

    /// <summary>
    /// Pass 3 for no rows or more than four: the element loop in one method, the rows in a local; each coefficient is
    /// broadcast where it is used (a load from L1), so a chunk allocates nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteAnyRows<TF, TD>(FusedTensor t, int start, int length, double[] coefficients, float decay, float learningRate, FloatMemory output)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var rows = t.Rows;
        int r = coefficients.Length;
        var adam = new AdamLanes<TF, TD>(t.Adam);
        var (floor, decayLanes, rate) = (TF.Create(t.Floor), TF.Create(decay), TF.Create(learningRate));
        var theta = t.Theta;
        for (int i = start, end = start + length; i < end; i += TF.Width)
        {
            var (delta, d) = t.BaseAndMetric(in adam, i);
            if (r > 0)
            {
                // spec §1.1: δ = δ_b − D⁻¹ Jᵀ c, in float64: where D is tiny (a coordinate no task gradient has reached)
                // the terms c_x J_x/D are large and cancel, and float32 would keep little of their difference.
                TD low = default, high = default;
                for (int x = 0; x < r; x++)
                {
                    var (jLow, jHigh) = TF.Widen(TF.Load(rows[x], i));
                    var c = TD.Create(coefficients[x]);
                    low = TD.FusedMultiplyAdd(c, jLow, low);
                    high = TD.FusedMultiplyAdd(c, jHigh, high);
                }
                delta = Corrected<TF, TD>(delta, d, floor, low, high);
            }
            // θ ← θ(1 − lr·wd) + lr·δ.
            TF.Store(output, i, TF.FusedMultiplyAdd(rate, delta, TF.Load(theta, i) * decayLanes));
        }
    }

    /// <summary>δ_b − (Σ_x c_x J_x)/max(D, floor), the sum given in float64 halves, formed in float64 and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF Corrected<TF, TD>(TF baseDirection, TF d, TF floor, TD low, TD high)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var (dLow, dHigh) = TF.Widen(TF.MaxNative(d, floor));
        var (bLow, bHigh) = TF.Widen(baseDirection);
        return TF.Narrow(bLow - low / dLow, bHigh - high / dHigh);
    }
}

/// <summary>Pass 1's sums over a range: Σ D (float64) and whether every δ_b was finite.</summary>
internal readonly record struct MomentSums(double MetricSum, bool Finite)
{
    /// <summary>The sums of this range and <paramref name="other"/>.</summary>
    public MomentSums Add(MomentSums other) => new(MetricSum + other.MetricSum, Finite && other.Finite);
}
