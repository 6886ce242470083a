using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// How a fused sweep touches <see cref="FloatMemory"/>: eight consecutive elements in eight lanes
/// (<see cref="EightLanes"/>), or one element broadcast to every lane (<see cref="OneLane"/>) for a tensor's last few
/// elements. The sweeps are generic over it, so each formula is written once and the JIT specialises both.
/// </summary>
internal interface ILaneAccess
{
    /// <summary>Elements advanced per access.</summary>
    static abstract int Width { get; }

    /// <summary>The lanes at <paramref name="index"/>.</summary>
    static abstract Vector256<float> Load(FloatMemory memory, int index);

    /// <summary>Writes the lanes at <paramref name="index"/>.</summary>
    static abstract void Store(FloatMemory memory, int index, Vector256<float> value);

    /// <summary>The lanes that hold distinct elements, others zeroed (for sums).</summary>
    static abstract Vector256<float> Distinct(Vector256<float> value);

    /// <summary>Writes the lanes, widened to float64 (<paramref name="low"/>: lanes 0–3), at <paramref name="index"/> of <paramref name="target"/>.</summary>
    static abstract void StoreWide(double[] target, int index, Vector256<double> low, Vector256<double> high);

    /// <summary>Four float64 lanes from <paramref name="index"/> of <paramref name="source"/> (one element, broadcast, for <see cref="OneLane"/>).</summary>
    static abstract Vector256<double> LoadWide(double[] source, int index);
}

/// <summary>Eight consecutive elements.</summary>
internal readonly struct EightLanes : ILaneAccess
{
    public static int Width => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(FloatMemory memory, int index) => memory.Load(index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloatMemory memory, int index, Vector256<float> value) => memory.Store(index, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Distinct(Vector256<float> value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWide(double[] target, int index, Vector256<double> low, Vector256<double> high)
    {
        // The sweep sizes its scratch for whole blocks; skipping the bounds checks saves four compares per row.
        Debug.Assert((uint)index + 2 * (uint)Vector256<double>.Count <= (uint)target.Length);
        ref double start = ref MemoryMarshal.GetArrayDataReference(target);
        low.StoreUnsafe(ref start, (nuint)index);
        high.StoreUnsafe(ref start, (nuint)(index + Vector256<double>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadWide(double[] source, int index)
    {
        Debug.Assert((uint)index + (uint)Vector256<double>.Count <= (uint)source.Length);
        return Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(source), (nuint)index);
    }
}

/// <summary>One element in every lane.</summary>
internal readonly struct OneLane : ILaneAccess
{
    private static readonly Vector256<float> FirstLane = Vector256.Create(-1, 0, 0, 0, 0, 0, 0, 0).AsSingle();

    public static int Width => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(FloatMemory memory, int index) => Vector256.Create(memory[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloatMemory memory, int index, Vector256<float> value) => memory[index] = value.ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Distinct(Vector256<float> value) => value & FirstLane;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWide(double[] target, int index, Vector256<double> low, Vector256<double> high) => target[index] = low.ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadWide(double[] source, int index) => Vector256.Create(source[index]);
}
