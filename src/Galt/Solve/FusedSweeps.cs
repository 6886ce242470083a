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
