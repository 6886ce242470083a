using System.Runtime.InteropServices;

namespace Galt.Orleans;

/// <summary>
/// CPU seconds of the calling thread (Linux: CLOCK_THREAD_CPUTIME_ID), so a block's work is measured without the time it
/// waited for a core while other grains ran; elsewhere the wall clock (which counts that wait too).
/// </summary>
internal static class ThreadCpuClock
{
    private const int ThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>True when <see cref="Now"/> is the thread's CPU time.</summary>
    public static bool IsCpuTime { get; } = OperatingSystem.IsLinux() && Probe();

    /// <summary>The thread's CPU seconds so far (or wall seconds where that is not available).</summary>
    public static double Now()
    {
        if (IsCpuTime && ClockGetTime(ThreadCpuTime, out var t) == 0) return t.Seconds + t.Nanoseconds * 1e-9;
        return System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
    }

    private static bool Probe()
    {
        try { return ClockGetTime(ThreadCpuTime, out _) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }
}
