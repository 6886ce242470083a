using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// The SIMD width the fused sweeps run at on this machine: <see cref="Lanes512"/> where 512-bit vectors are
/// accelerated, else <see cref="Lanes256"/> (on a machine without them, 512-bit vectors are emulated with two 256-bit
/// halves, which doubles the registers the sweeps' accumulators need). Float64 sums are formed lane by lane, so the
/// two widths round them differently (the property tests bound both against the reference solve).
/// </summary>
internal static class LaneWidth
{
    /// <summary>True when the sweeps use <see cref="Lanes512"/>.</summary>
    public static bool Is512 => Vector512.IsHardwareAccelerated;

    /// <summary>Elements per full-width access.</summary>
    public static int Elements => Is512 ? Lanes512.Width : Lanes256.Width;

    /// <summary>The longest prefix of <paramref name="length"/> elements that whole vectors cover; the rest go through <see cref="OneLane"/>.</summary>
    public static int Body(int length) => length - length % Elements;
}
