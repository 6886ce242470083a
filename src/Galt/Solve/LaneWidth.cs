using System.Runtime.Intrinsics;

namespace Galt.Solve;

/// <summary>
/// The SIMD width the fused sweeps run at: <see cref="Lanes512"/> where 512-bit vectors are accelerated, else
/// <see cref="Lanes256"/> (on a machine without them, 512-bit vectors are emulated with two 256-bit halves, which
/// doubles the registers the sweeps' accumulators need). Float64 sums are formed lane by lane, so the two widths round
/// them differently; the property tests check both against the reference solve (<see cref="FusedStepInput.NarrowLanes"/>
/// runs the 256-bit sweeps on a machine with 512-bit vectors).
/// </summary>
internal static class LaneWidth
{
    /// <summary>True when this machine accelerates 512-bit vectors.</summary>
    public static bool MachineHas512 => Vector512.IsHardwareAccelerated;

    /// <summary>The longest prefix of <paramref name="length"/> elements that whole vectors cover; the rest go through <see cref="OneLane"/>.</summary>
    public static int Body(int length, bool wide) => length - length % (wide ? Lanes512.Width : Lanes256.Width);
}
