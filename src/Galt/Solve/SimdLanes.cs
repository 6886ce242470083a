namespace Galt.Solve;

/// <summary>
/// float32 lanes of one SIMD width, as the fused sweeps (<see cref="FusedSweeps"/>, <see cref="GramSweep"/>) use them:
/// <see cref="Lanes512"/> (sixteen consecutive elements, where the machine has 512-bit vectors), <see cref="Lanes256"/>
/// (eight; elsewhere) or <see cref="OneLane"/> (one element in every lane, for a tensor's last few). The sweeps are
/// generic over it, so each formula is written once and the JIT specialises it per width; each step's tensors take
/// the machine's width (<see cref="LaneWidth"/>; <see cref="FusedTensor.Wide"/>), 256-bit where 512-bit vectors are not
/// accelerated, since emulated ones would need twice the registers the sweeps' accumulators fit in.
/// </summary>
/// <typeparam name="TSelf">The lanes type.</typeparam>
/// <typeparam name="TWide">Its float64 half: <see cref="Widen"/> gives two of them.</typeparam>
internal interface IFloatLanes<TSelf, TWide>
    where TSelf : struct, IFloatLanes<TSelf, TWide>
    where TWide : struct, IWideLanes<TWide>
{
    /// <summary>Elements advanced per access.</summary>
    static abstract int Width { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>The lanes at <paramref name="index"/>.</summary>
    static abstract TSelf Load(FloatMemory memory, int index);

    /// <summary>Writes the lanes at <paramref name="index"/>.</summary>
    static abstract void Store(FloatMemory memory, int index, TSelf value);

    /// <summary>The lanes that hold distinct elements, others zeroed (for sums).</summary>
    static abstract TSelf Distinct(TSelf value);

    /// <summary>Writes the lanes, widened to float64 (<paramref name="low"/> first), at <paramref name="index"/> of <paramref name="target"/>.</summary>
    static abstract void StoreWide(double[] target, int index, TWide low, TWide high);

    /// <summary>Lanewise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>Lanewise difference.</summary>
    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>Lanewise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>Lanewise quotient.</summary>
    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>Lanewise square root.</summary>
    static abstract TSelf Sqrt(TSelf value);

    /// <summary>
    /// An estimate of 1/√x per lane with relative error below 2⁻¹¹ (the hardware's reciprocal-square-root instruction
    /// where there is one, which does not occupy the divider; else 1/√x), for refining by Newton steps in float64.
    /// </summary>
    static abstract TSelf InverseSqrtEstimate(TSelf value);

    /// <summary>Lanewise absolute value.</summary>
    static abstract TSelf Abs(TSelf value);

    /// <summary>Lanewise maximum, the platform's NaN rule.</summary>
    static abstract TSelf MaxNative(TSelf left, TSelf right);

    /// <summary>Lanewise minimum, the platform's NaN rule.</summary>
    static abstract TSelf MinNative(TSelf left, TSelf right);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The lanes as float64, exactly: the first half of the lanes in Low, the rest in High.</summary>
    static abstract (TWide Low, TWide High) Widen(TSelf value);

    /// <summary>Two float64 halves rounded back to float32 lanes (the inverse of <see cref="Widen"/>).</summary>
    static abstract TSelf Narrow(TWide low, TWide high);

    /// <summary>True when every lane is zero.</summary>
    static abstract bool AllZero(TSelf value);

    /// <summary>The largest lane.</summary>
    static abstract float LargestLane(TSelf value);

    /// <summary>The smallest lane.</summary>
    static abstract float SmallestLane(TSelf value);
}

/// <summary>The float64 lanes that one width of <see cref="IFloatLanes{TSelf, TWide}"/> widens into.</summary>
/// <typeparam name="TSelf">The lanes type.</typeparam>
internal interface IWideLanes<TSelf> where TSelf : struct, IWideLanes<TSelf>
{
    /// <summary>Lanes.</summary>
    static abstract int Count { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Create(double value);

    /// <summary><see cref="Count"/> consecutive values at <paramref name="source"/> + <paramref name="offset"/>, unchecked.</summary>
    static abstract TSelf LoadUnsafe(ref double source, nuint offset);

    /// <summary>Lanewise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>Lanewise difference.</summary>
    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>Lanewise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>Lanewise quotient.</summary>
    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>Lanewise negation.</summary>
    static abstract TSelf operator -(TSelf value);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The sum of the lanes.</summary>
    static abstract double Sum(TSelf value);
}
