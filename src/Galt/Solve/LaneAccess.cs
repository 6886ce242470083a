using System.Runtime.CompilerServices;
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
        low.CopyTo(target, index);
        high.CopyTo(target, index + Vector256<double>.Count);
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
}
