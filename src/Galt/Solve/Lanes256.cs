using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Galt.Solve;

/// <summary>Eight consecutive float32 elements in one 256-bit vector: the fused sweeps' width where 512-bit vectors are not accelerated.</summary>
internal readonly struct Lanes256 : IFloatLanes<Lanes256, Wide256>
{
    private readonly Vector256<float> _v;

    private Lanes256(Vector256<float> v) => _v = v;

    public static int Width => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Create(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Load(FloatMemory memory, int index) => new(memory.Load256(index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatMemory memory, int index, Lanes256 value) => memory.Store256(index, value._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Distinct(Lanes256 value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWide(double[] target, int index, Wide256 low, Wide256 high)
    {
        // The sweep sizes its scratch for whole blocks; skipping the bounds checks saves the compares per row.
        Debug.Assert((uint)index + 2 * (uint)Wide256.Count <= (uint)target.Length);
        ref double start = ref MemoryMarshal.GetArrayDataReference(target);
        low.Value.StoreUnsafe(ref start, (nuint)index);
        high.Value.StoreUnsafe(ref start, (nuint)(index + Wide256.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 operator +(Lanes256 left, Lanes256 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 operator -(Lanes256 left, Lanes256 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 operator *(Lanes256 left, Lanes256 right) => new(left._v * right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 operator /(Lanes256 left, Lanes256 right) => new(left._v / right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Sqrt(Lanes256 value) => new(Vector256.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 InverseSqrtEstimate(Lanes256 value) =>
        new(Avx.IsSupported ? Avx.ReciprocalSqrt(value._v) : Vector256<float>.One / Vector256.Sqrt(value._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Abs(Lanes256 value) => new(Vector256.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 MaxNative(Lanes256 left, Lanes256 right) => new(Vector256.MaxNative(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 MinNative(Lanes256 left, Lanes256 right) => new(Vector256.MinNative(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 FusedMultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Wide256 Low, Wide256 High) Widen(Lanes256 value)
    {
        var (low, high) = Vector256.Widen(value._v);
        return (new Wide256(low), new Wide256(high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Narrow(Wide256 low, Wide256 high) => new(Vector256.Narrow(low.Value, high.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllZero(Lanes256 value) => Vector256.EqualsAll(value._v, Vector256<float>.Zero);

    public static float LargestLane(Lanes256 value)
    {
        float largest = float.NegativeInfinity;
        for (int lane = 0; lane < Vector256<float>.Count; lane++) largest = MathF.Max(largest, value._v[lane]);
        return largest;
    }

    public static float SmallestLane(Lanes256 value)
    {
        float smallest = float.PositiveInfinity;
        for (int lane = 0; lane < Vector256<float>.Count; lane++) smallest = MathF.Min(smallest, value._v[lane]);
        return smallest;
    }
}

/// <summary>Four float64 lanes in one 256-bit vector: half of a widened <see cref="Lanes256"/>.</summary>
internal readonly struct Wide256 : IWideLanes<Wide256>
{
    public Wide256(Vector256<double> value) => Value = value;

    /// <summary>The lanes.</summary>
    public Vector256<double> Value { get; }

    public static int Count => Vector256<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 Create(double value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 LoadUnsafe(ref double source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 operator +(Wide256 left, Wide256 right) => new(left.Value + right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 operator -(Wide256 left, Wide256 right) => new(left.Value - right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 operator *(Wide256 left, Wide256 right) => new(left.Value * right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 operator /(Wide256 left, Wide256 right) => new(left.Value / right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 operator -(Wide256 value) => new(-value.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide256 FusedMultiplyAdd(Wide256 a, Wide256 b, Wide256 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Wide256 value) => Vector256.Sum(value.Value);
}
