using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Galt.Solve;

/// <summary>Sixteen consecutive float32 elements in one 512-bit vector: the fused sweeps' width where the machine has 512-bit vectors.</summary>
internal readonly struct Lanes512 : IFloatLanes<Lanes512, Wide512>
{
    private readonly Vector512<float> _v;

    private Lanes512(Vector512<float> v) => _v = v;

    public static int Width => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Create(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Load(FloatMemory memory, int index) => new(memory.Load512(index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatMemory memory, int index, Lanes512 value) => memory.Store512(index, value._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Distinct(Lanes512 value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWide(double[] target, int index, Wide512 low, Wide512 high)
    {
        // The sweep sizes its scratch for whole blocks; skipping the bounds checks saves the compares per row.
        Debug.Assert((uint)index + 2 * (uint)Wide512.Count <= (uint)target.Length);
        ref double start = ref MemoryMarshal.GetArrayDataReference(target);
        low.Value.StoreUnsafe(ref start, (nuint)index);
        high.Value.StoreUnsafe(ref start, (nuint)(index + Wide512.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator +(Lanes512 left, Lanes512 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator -(Lanes512 left, Lanes512 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator *(Lanes512 left, Lanes512 right) => new(left._v * right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator /(Lanes512 left, Lanes512 right) => new(left._v / right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Sqrt(Lanes512 value) => new(Vector512.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 InverseSqrtEstimate(Lanes512 value) =>
        new(Avx512F.IsSupported ? Avx512F.ReciprocalSqrt14(value._v) : Vector512<float>.One / Vector512.Sqrt(value._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Abs(Lanes512 value) => new(Vector512.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 MaxNative(Lanes512 left, Lanes512 right) => new(Vector512.MaxNative(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 MinNative(Lanes512 left, Lanes512 right) => new(Vector512.MinNative(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 FusedMultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Wide512 Low, Wide512 High) Widen(Lanes512 value)
    {
        var (low, high) = Vector512.Widen(value._v);
        return (new Wide512(low), new Wide512(high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Narrow(Wide512 low, Wide512 high) => new(Vector512.Narrow(low.Value, high.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllZero(Lanes512 value) => Vector512.EqualsAll(value._v, Vector512<float>.Zero);

    public static float LargestLane(Lanes512 value)
    {
        float largest = float.NegativeInfinity;
        for (int lane = 0; lane < Vector512<float>.Count; lane++) largest = MathF.Max(largest, value._v[lane]);
        return largest;
    }

    public static float SmallestLane(Lanes512 value)
    {
        float smallest = float.PositiveInfinity;
        for (int lane = 0; lane < Vector512<float>.Count; lane++) smallest = MathF.Min(smallest, value._v[lane]);
        return smallest;
    }
}

/// <summary>Eight float64 lanes in one 512-bit vector: half of a widened <see cref="Lanes512"/>.</summary>
internal readonly struct Wide512 : IWideLanes<Wide512>
{
    public Wide512(Vector512<double> value) => Value = value;

    /// <summary>The lanes.</summary>
    public Vector512<double> Value { get; }

    public static int Count => Vector512<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 Create(double value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 LoadUnsafe(ref double source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 operator +(Wide512 left, Wide512 right) => new(left.Value + right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 operator -(Wide512 left, Wide512 right) => new(left.Value - right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 operator *(Wide512 left, Wide512 right) => new(left.Value * right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 operator /(Wide512 left, Wide512 right) => new(left.Value / right.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 operator -(Wide512 value) => new(-value.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Wide512 FusedMultiplyAdd(Wide512 a, Wide512 b, Wide512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Wide512 value) => Vector512.Sum(value.Value);
}
