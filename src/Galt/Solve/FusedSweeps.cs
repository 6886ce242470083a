using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// The elementwise passes of the fused local step over one range of one tensor (issue 20): each reads and writes
/// parameter-sized memory once, in SIMD lanes, and returns small float64 sums for the caller to reduce in a fixed order.
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

    /// <summary>
    /// Pass 3: writes <paramref name="output"/> = θ·<paramref name="decay"/> + <paramref name="learningRate"/>·δ over
    /// [start, start + length), δ = δ_b − (Σ_x c_x J_x)/max(D, floor) with <paramref name="coefficients"/> c per row of
    /// the tensor (none: δ = δ_b). The output is θ itself for the commit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(FusedTensor t, int start, int length, Vector256<double>[] coefficients, Vector256<float> decay, Vector256<float> learningRate, FloatMemory output)
    {
        switch (coefficients.Length)
        {
            case 1: WriteInRegisters<OneRow>(t, start, length, coefficients, decay, learningRate, output); return;
            case 2: WriteInRegisters<TwoRows>(t, start, length, coefficients, decay, learningRate, output); return;
            case 3: WriteInRegisters<ThreeRows>(t, start, length, coefficients, decay, learningRate, output); return;
            case 4: WriteInRegisters<FourRows>(t, start, length, coefficients, decay, learningRate, output); return;
        }
        int body = length & ~(EightLanes.Width - 1);
        WriteAnyRows<EightLanes>(t, start, body, coefficients, decay, learningRate, output);
        if (body < length) WriteAnyRows<OneLane>(t, start + body, length - body, coefficients, decay, learningRate, output);
    }

    /// <summary>
    /// Pass 3 for up to four rows: the rows' memories and coefficients are held in locals for the whole range, as the
    /// Gram sweep does, instead of being fetched from their arrays at every element; the arithmetic and its order are
    /// <see cref="WriteAnyRows{TAccess}"/>'s, so the result is the same to the bit.
    /// </summary>
    private static void WriteInRegisters<TRows>(FusedTensor t, int start, int length, Vector256<double>[] coefficients, Vector256<float> decay,
        Vector256<float> learningRate, FloatMemory output) where TRows : IRowCount
    {
        int body = length & ~(EightLanes.Width - 1);
        WriteRows<EightLanes, TRows>(t, start, body, coefficients, decay, learningRate, output);
        if (body < length) WriteRows<OneLane, TRows>(t, start + body, length - body, coefficients, decay, learningRate, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteRows<TAccess, TRows>(FusedTensor t, int start, int length, Vector256<double>[] coefficients, Vector256<float> decay,
        Vector256<float> learningRate, FloatMemory output) where TAccess : ILaneAccess where TRows : IRowCount
    {
        var rows = t.Rows;
        FloatMemory r0 = rows[0], r1 = TRows.Count >= 2 ? rows[1] : default, r2 = TRows.Count >= 3 ? rows[2] : default, r3 = TRows.Count >= 4 ? rows[3] : default;
        Vector256<double> c0 = coefficients[0], c1 = TRows.Count >= 2 ? coefficients[1] : default,
            c2 = TRows.Count >= 3 ? coefficients[2] : default, c3 = TRows.Count >= 4 ? coefficients[3] : default;
        var floor = t.Floor;
        var theta = t.Theta;
        for (int i = start, end = start + length; i < end; i += TAccess.Width)
        {
            var (delta, d) = t.BaseAndMetric<TAccess>(i);
            var (jLow, jHigh) = Vector256.Widen(TAccess.Load(r0, i));
            var low = Vector256.FusedMultiplyAdd(c0, jLow, Vector256<double>.Zero);
            var high = Vector256.FusedMultiplyAdd(c0, jHigh, Vector256<double>.Zero);
            if (TRows.Count >= 2)
            {
                (jLow, jHigh) = Vector256.Widen(TAccess.Load(r1, i));
                low = Vector256.FusedMultiplyAdd(c1, jLow, low);
                high = Vector256.FusedMultiplyAdd(c1, jHigh, high);
            }
            if (TRows.Count >= 3)
            {
                (jLow, jHigh) = Vector256.Widen(TAccess.Load(r2, i));
                low = Vector256.FusedMultiplyAdd(c2, jLow, low);
                high = Vector256.FusedMultiplyAdd(c2, jHigh, high);
            }
            if (TRows.Count >= 4)
            {
                (jLow, jHigh) = Vector256.Widen(TAccess.Load(r3, i));
                low = Vector256.FusedMultiplyAdd(c3, jLow, low);
                high = Vector256.FusedMultiplyAdd(c3, jHigh, high);
            }
            var (dLow, dHigh) = Vector256.Widen(Vector256.MaxNative(d, floor));
            var (bLow, bHigh) = Vector256.Widen(delta);
            delta = Vector256.Narrow(bLow - low / dLow, bHigh - high / dHigh);
            TAccess.Store(output, i, Vector256.FusedMultiplyAdd(learningRate, delta, TAccess.Load(theta, i) * decay));
        }
    }

    /// <summary>Pass 3 for no rows or more than four: the element loop in one method, the rows and coefficients held in locals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteAnyRows<TAccess>(FusedTensor t, int start, int length, Vector256<double>[] coefficients, Vector256<float> decay,
        Vector256<float> learningRate, FloatMemory output) where TAccess : ILaneAccess
    {
        var rows = t.Rows;
        var floor = t.Floor;
        var theta = t.Theta;
        int r = coefficients.Length;
        for (int i = start, end = start + length; i < end; i += TAccess.Width)
        {
            var (delta, d) = t.BaseAndMetric<TAccess>(i);
            if (r > 0)
            {
                // spec §1.1: δ = δ_b − D⁻¹ Jᵀ c, in float64: where D is tiny (a coordinate no task gradient has reached)
                // the terms c_x J_x/D are large and cancel, and float32 would keep little of their difference.
                Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
                for (int x = 0; x < r; x++)
                {
                    var (jLow, jHigh) = Vector256.Widen(TAccess.Load(rows[x], i));
                    low = Vector256.FusedMultiplyAdd(coefficients[x], jLow, low);
                    high = Vector256.FusedMultiplyAdd(coefficients[x], jHigh, high);
                }
                var (dLow, dHigh) = Vector256.Widen(Vector256.MaxNative(d, floor));
                var (bLow, bHigh) = Vector256.Widen(delta);
                delta = Vector256.Narrow(bLow - low / dLow, bHigh - high / dHigh);
            }
            // θ ← θ(1 − lr·wd) + lr·δ.
            TAccess.Store(output, i, Vector256.FusedMultiplyAdd(learningRate, delta, TAccess.Load(theta, i) * decay));
        }
    }
}

/// <summary>Pass 1's sums over a range: Σ D (float64) and whether every δ_b was finite.</summary>
internal readonly record struct MomentSums(double MetricSum, bool Finite);
