using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// The elements of a contiguous float32 CPU tensor as raw memory, for the fused sweeps (<see cref="FusedSweeps"/>): a
/// span cannot be captured by the workers of a <c>Parallel.For</c>, an address can. Valid while the tensor lives and is
/// neither resized nor moved; the fused step holds its tensors for exactly one step. Loads and stores are unchecked
/// (the sweeps stay inside <see cref="Length"/>; debug builds assert it): this is the one unsafe type of the library.
/// </summary>
internal readonly unsafe struct FloatMemory
{
    private readonly float* _start;

    private FloatMemory(float* start, int length)
    {
        _start = start;
        Length = length;
    }

    /// <summary>Number of float32 elements.</summary>
    public int Length { get; }

    /// <summary>True when <paramref name="t"/> is float32, on the CPU, contiguous, and small enough for a span (&lt; 2 GiB).</summary>
    public static bool Fits(Tensor t) =>
        t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous() && t.numel() <= int.MaxValue / sizeof(float);

    /// <summary>The memory of <paramref name="t"/>, which must <see cref="Fits"/>.</summary>
    public static FloatMemory Of(Tensor t)
    {
        Debug.Assert(Fits(t));
        // TorchSharp's bytes span starts at the tensor's first element (THSTensor_data, storage offset included).
        var bytes = t.bytes;
        return new FloatMemory((float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes)), bytes.Length / sizeof(float));
    }

    /// <summary>Sixteen elements from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load512(int index)
    {
        Debug.Assert((uint)index + (uint)Vector512<float>.Count <= (uint)Length);
        return Vector512.Load(_start + index);
    }

    /// <summary>Writes sixteen elements from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store512(int index, Vector512<float> value)
    {
        Debug.Assert((uint)index + (uint)Vector512<float>.Count <= (uint)Length);
        value.Store(_start + index);
    }

    /// <summary>Eight elements from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Load256(int index)
    {
        Debug.Assert((uint)index + (uint)Vector256<float>.Count <= (uint)Length);
        return Vector256.Load(_start + index);
    }

    /// <summary>Writes eight elements from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store256(int index, Vector256<float> value)
    {
        Debug.Assert((uint)index + (uint)Vector256<float>.Count <= (uint)Length);
        value.Store(_start + index);
    }

    /// <summary>One element.</summary>
    public float this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((uint)index < (uint)Length);
            return _start[index];
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set
        {
            Debug.Assert((uint)index < (uint)Length);
            _start[index] = value;
        }
    }
}
