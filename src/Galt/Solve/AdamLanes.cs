using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// One tensor's Adam step (spec §1.1) and proximal anchor pull (spec §1.3 item 2) on eight float32 lanes, for the fused
/// sweeps. The operations follow the tensor path's order (<see cref="AdamMetric.UpdateMoments"/>,
/// <see cref="AdamMetric.FormMetric"/>, the pull in PrimalStep) so both round alike; a tensor's last few elements run
/// the same code with every lane holding the one element.
/// </summary>
internal readonly struct AdamLanes
{
    private readonly Vector256<float> _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _inverseBc2, _negativeInverseBc1, _epsilon, _rhoAnchor, _negativeRhoAnchor;

    /// <summary>The lanes of step <paramref name="t"/> (1 = first) of <paramref name="metric"/>; ρ_a = 0 turns the pull off.</summary>
    public AdamLanes(AdamMetric metric, int t, double rhoAnchor)
    {
        var (bc1, bc2) = metric.BiasCorrections(t);
        _beta1 = Vector256.Create((float)metric.Beta1);
        _oneMinusBeta1 = Vector256.Create((float)(1 - metric.Beta1));
        _beta2 = Vector256.Create((float)metric.Beta2);
        _oneMinusBeta2 = Vector256.Create((float)(1 - metric.Beta2));
        _inverseBc2 = Vector256.Create((float)(1 / bc2));
        _negativeInverseBc1 = Vector256.Create((float)(-1 / bc1));
        _epsilon = Vector256.Create((float)metric.Epsilon);
        _rhoAnchor = Vector256.Create((float)rhoAnchor);
        _negativeRhoAnchor = Vector256.Create((float)-rhoAnchor);
        FirstStep = t == 1;
        Pulls = rhoAnchor != 0;
    }

    /// <summary>No moments yet: m′ = (1−β1)·g, v′ = (1−β2)·g².</summary>
    public bool FirstStep { get; }

    /// <summary>The anchor pull is on (ρ_a ≠ 0).</summary>
    public bool Pulls { get; }

    /// <summary>m′ = β1·m + (1−β1)·g and v′ = β2·v + (1−β2)·g·g (m, v ignored at the first step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector256<float> M, Vector256<float> V) Moments(Vector256<float> g, Vector256<float> m, Vector256<float> v) => FirstStep
        ? (g * _oneMinusBeta1, g * g * _oneMinusBeta2)
        : (Vector256.FusedMultiplyAdd(g, _oneMinusBeta1, m * _beta1), v * _beta2 + _oneMinusBeta2 * g * g);

    /// <summary>D = √(v′/bc2) + ε.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Metric(Vector256<float> nextV) => Vector256.Sqrt(nextV * _inverseBc2) + _epsilon;

    /// <summary>δ_b = −(m′/bc1)/D, before the pull.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Base(Vector256<float> nextM, Vector256<float> d) => _negativeInverseBc1 * nextM / d;

    /// <summary>δ_b + ρ_a·(θ_anchor − θ) (spec §1.3 item 2); call only when <see cref="Pulls"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Pull(Vector256<float> baseDirection, Vector256<float> anchor, Vector256<float> theta) =>
        Vector256.FusedMultiplyAdd(theta, _negativeRhoAnchor, Vector256.FusedMultiplyAdd(anchor, _rhoAnchor, baseDirection));
}
