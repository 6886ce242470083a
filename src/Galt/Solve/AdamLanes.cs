using System.Runtime.CompilerServices;

namespace Galt.Solve;

/// <summary>
/// The float32 constants of one tensor's Adam step (spec §1.1) and proximal anchor pull (spec §1.3 item 2) at step t,
/// from which each fused sweep broadcasts its <see cref="AdamLanes{TF, TD}"/> once.
/// </summary>
internal readonly struct AdamCoefficients
{
    /// <summary>The coefficients of step <paramref name="t"/> (1 = first) of <paramref name="metric"/>; ρ_a = 0 turns the pull off.</summary>
    public AdamCoefficients(AdamMetric metric, int t, double rhoAnchor)
    {
        var (bc1, bc2) = metric.BiasCorrections(t);
        Beta1 = (float)metric.Beta1;
        OneMinusBeta1 = (float)(1 - metric.Beta1);
        Beta2 = (float)metric.Beta2;
        OneMinusBeta2 = (float)(1 - metric.Beta2);
        InverseBc2 = (float)(1 / bc2);
        NegativeInverseBc1 = (float)(-1 / bc1);
        Epsilon = (float)metric.Epsilon;
        RhoAnchor = (float)rhoAnchor;
        FirstStep = t == 1;
        Pulls = rhoAnchor != 0;
    }

    /// <summary>β1, 1 − β1, β2, 1 − β2, 1/bc2, −1/bc1, ε and ρ_a in float32.</summary>
    public float Beta1 { get; }

    /// <inheritdoc cref="Beta1"/>
    public float OneMinusBeta1 { get; }

    /// <inheritdoc cref="Beta1"/>
    public float Beta2 { get; }

    /// <inheritdoc cref="Beta1"/>
    public float OneMinusBeta2 { get; }

    /// <inheritdoc cref="Beta1"/>
    public float InverseBc2 { get; }

    /// <inheritdoc cref="Beta1"/>
    public float NegativeInverseBc1 { get; }

    /// <inheritdoc cref="Beta1"/>
    public float Epsilon { get; }

    /// <inheritdoc cref="Beta1"/>
    public float RhoAnchor { get; }

    /// <summary>No moments yet: m′ = (1−β1)·g, v′ = (1−β2)·g².</summary>
    public bool FirstStep { get; }

    /// <summary>The anchor pull is on (ρ_a ≠ 0).</summary>
    public bool Pulls { get; }
}

/// <summary>
/// One tensor's Adam step and anchor pull on the lanes of one SIMD width, for the fused sweeps. The operations follow
/// the tensor path's order (<see cref="AdamMetric.UpdateMoments"/>, <see cref="AdamMetric.FormMetric"/>, the pull in
/// PrimalStep) so both round alike; a tensor's last few elements run the same code with every lane holding the one
/// element (<see cref="OneLane"/>).
/// </summary>
internal readonly struct AdamLanes<TF, TD>
    where TF : struct, IFloatLanes<TF, TD>
    where TD : struct, IWideLanes<TD>
{
    private readonly TF _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _inverseBc2, _negativeInverseBc1, _epsilon, _rhoAnchor, _negativeRhoAnchor;

    /// <summary>The coefficients broadcast to every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AdamLanes(in AdamCoefficients c)
    {
        _beta1 = TF.Create(c.Beta1);
        _oneMinusBeta1 = TF.Create(c.OneMinusBeta1);
        _beta2 = TF.Create(c.Beta2);
        _oneMinusBeta2 = TF.Create(c.OneMinusBeta2);
        _inverseBc2 = TF.Create(c.InverseBc2);
        _negativeInverseBc1 = TF.Create(c.NegativeInverseBc1);
        _epsilon = TF.Create(c.Epsilon);
        _rhoAnchor = TF.Create(c.RhoAnchor);
        _negativeRhoAnchor = TF.Create(-c.RhoAnchor);
        FirstStep = c.FirstStep;
        Pulls = c.Pulls;
    }

    /// <inheritdoc cref="AdamCoefficients.FirstStep"/>
    public bool FirstStep { get; }

    /// <inheritdoc cref="AdamCoefficients.Pulls"/>
    public bool Pulls { get; }

    /// <summary>m′ = β1·m + (1−β1)·g and v′ = β2·v + (1−β2)·g·g (m, v ignored at the first step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TF M, TF V) Moments(TF g, TF m, TF v) => FirstStep
        ? (g * _oneMinusBeta1, g * g * _oneMinusBeta2)
        : (TF.FusedMultiplyAdd(g, _oneMinusBeta1, m * _beta1), v * _beta2 + _oneMinusBeta2 * g * g);

    /// <summary>D = √(v′/bc2) + ε.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TF Metric(TF nextV) => TF.Sqrt(nextV * _inverseBc2) + _epsilon;

    /// <summary>δ_b = −(m′/bc1)/D, before the pull.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TF Base(TF nextM, TF d) => _negativeInverseBc1 * nextM / d;

    /// <summary>δ_b + ρ_a·(θ_anchor − θ) (spec §1.3 item 2); call only when <see cref="Pulls"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TF Pull(TF baseDirection, TF anchor, TF theta) =>
        TF.FusedMultiplyAdd(theta, _negativeRhoAnchor, TF.FusedMultiplyAdd(anchor, _rhoAnchor, baseDirection));
}
