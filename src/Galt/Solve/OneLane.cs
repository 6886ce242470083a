using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Galt.Solve;

/// <summary>
/// One float32 element in every lane of a 128-bit vector: the fused sweeps' access for a tensor's last few elements
/// (fewer than one full width), so they run the same formulas as the rest. Loads broadcast the element, stores write
/// it once, and <see cref="Distinct"/> keeps lane 0 alone so that sums count it once.
/// </summary>
internal readonly struct OneLane : IFloatLanes<OneLane, OneWide>
{
    private static readonly Vector128<float> FirstLane = Vector128.Create(-1, 0, 0, 0).AsSingle();

    private readonly Vector128<float> _v;

    private OneLane(Vector128<float> v) => _v = v;

    public static int Width => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane Create(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane Load(FloatMemory memory, int index) => new(Vector128.Create(memory[index]));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatMemory memory, int index, OneLane value) => memory[index] = value._v.ToScalar();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane Distinct(OneLane value) => new(value._v & FirstLane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreWide(double[] target, int index, OneWide low, OneWide high) => target[index] = low.Value.ToScalar();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane operator +(OneLane left, OneLane right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane operator -(OneLane left, OneLane right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane operator *(OneLane left, OneLane right) => new(left._v * right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane operator /(OneLane left, OneLane right) => new(left._v / right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane Sqrt(OneLane value) => new(Vector128.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static OneLane InverseSqrtEstimate(OneLane value) =>
        new(Sse.IsSupported ? Sse.ReciprocalSqrt(value._v) : Vector128<float>.One / Vector128.Sqrt(value._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane Abs(OneLane value) => new(Vector128.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane MaxNative(OneLane left, OneLane right) => new(Vector128.MaxNative(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane MinNative(OneLane left, OneLane right) => new(Vector128.MinNative(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane FusedMultiplyAdd(OneLane a, OneLane b, OneLane c) => new(Vector128.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (OneWide Low, OneWide High) Widen(OneLane value)
    {
        var (low, high) = Vector128.Widen(value._v);
        return (new OneWide(low), new OneWide(high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneLane Narrow(OneWide low, OneWide high) => new(Vector128.Narrow(low.Value, high.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllZero(OneLane value) => Vector128.EqualsAll(value._v, Vector128<float>.Zero);

    /// <summary>Lane 0 (every lane holds the element, or its copy after <see cref="Distinct"/> zeroed the others).</summary>
    public static float LargestLane(OneLane value) => value._v.ToScalar();

    /// <summary>Lane 0, as <see cref="LargestLane"/>.</summary>
    public static float SmallestLane(OneLane value) => value._v.ToScalar();
}

/// <summary>Two float64 lanes of a 128-bit vector: half of a widened <see cref="OneLane"/>.</summary>
internal readonly struct OneWide : IWideLanes<OneWide>
{
    public OneWide(Vector128<double> value) => Value = value;

    /// <summary>The lanes.</summary>
    public Vector128<double> Value { get; }

    public static int Count => Vector128<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide Create(double value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide LoadUnsafe(ref double source, nuint offset) => new(Vector128.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide operator +(OneWide left, OneWide right) => new(left.Value + right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide operator -(OneWide left, OneWide right) => new(left.Value - right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide operator *(OneWide left, OneWide right) => new(left.Value * right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide operator /(OneWide left, OneWide right) => new(left.Value / right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide operator -(OneWide value) => new(-value.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static OneWide FusedMultiplyAdd(OneWide a, OneWide b, OneWide c) => new(Vector128.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(OneWide value) => Vector128.Sum(value.Value);
}
