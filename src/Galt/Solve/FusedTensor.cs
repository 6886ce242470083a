using System.Runtime.CompilerServices;

namespace Galt.Solve;

/// <summary>
/// What the fused sweeps read and write for one parameter tensor: θ, g, the current and next Adam moments, the anchor,
/// the Jacobian rows that touch the tensor, its Adam lanes and its metric floor.
/// </summary>
internal sealed class FusedTensor
{
    /// <summary>Collects the memories of one tensor.</summary>
    public FusedTensor(FloatMemory theta, FloatMemory gradient, FloatMemory firstMoment, FloatMemory secondMoment, FloatMemory nextFirstMoment,
        FloatMemory nextSecondMoment, FloatMemory anchor, FloatMemory[] rows, AdamCoefficients adam)
    {
        Theta = theta; Gradient = gradient; FirstMoment = firstMoment; SecondMoment = secondMoment;
        NextFirstMoment = nextFirstMoment; NextSecondMoment = nextSecondMoment; Anchor = anchor; Rows = rows; _adam = adam;
    }

    /// <summary>θ.</summary>
    public FloatMemory Theta { get; }

    /// <summary>g.</summary>
    public FloatMemory Gradient { get; }

    /// <summary>m (unused at the first step).</summary>
    public FloatMemory FirstMoment { get; }

    /// <summary>v (unused at the first step).</summary>
    public FloatMemory SecondMoment { get; }

    /// <summary>m′: the metric's spare buffer.</summary>
    public FloatMemory NextFirstMoment { get; }

    /// <summary>v′: the metric's spare buffer.</summary>
    public FloatMemory NextSecondMoment { get; }

    /// <summary>θ_anchor (unused when the pull is off).</summary>
    public FloatMemory Anchor { get; }

    /// <summary>J_i on this tensor for each constraint row that touches it, in constraint order.</summary>
    public FloatMemory[] Rows { get; }

    private readonly AdamCoefficients _adam;

    /// <summary>The Adam step's coefficients, which each sweep broadcasts into its lanes.</summary>
    public ref readonly AdamCoefficients Adam => ref _adam;

    /// <summary>The sweeps run on 512-bit lanes (<see cref="Lanes512"/>), else on 256-bit ones (<see cref="LaneWidth"/>).</summary>
    public bool Wide { get; init; }

    /// <summary>Elements.</summary>
    public int Length => Theta.Length;

    /// <summary>max(D, floor) in the constrained system (0: no floor); set after the first sweep has measured mean(D).</summary>
    public float Floor { get; set; }

    /// <summary>δ_b (with the pull, from the unfloored D as on the tensor path) and D at <paramref name="i"/>, from m′ and v′.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TF Base, TF D) BaseAndMetric<TF, TD>(in AdamLanes<TF, TD> adam, int i)
        where TF : struct, IFloatLanes<TF, TD> where TD : struct, IWideLanes<TD>
    {
        var d = adam.Metric(TF.Load(NextSecondMoment, i));
        var b = adam.Base(TF.Load(NextFirstMoment, i), d);
        return (adam.Pulls ? adam.Pull(b, TF.Load(Anchor, i), TF.Load(Theta, i)) : b, d);
    }
}
