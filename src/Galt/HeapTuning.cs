using System.Runtime.InteropServices;

namespace Galt;

/// <summary>
/// Keeps freed native memory in the process heap instead of handing it back to the operating system. libtorch's CPU
/// allocator takes every tensor from the C heap; glibc serves blocks over its mmap threshold (128 KiB to 32 MiB) with
/// fresh mmap calls and unmaps them on free, so a training step that makes tensors of tens of megabytes (a 12,000-word
/// vocabulary head over a few thousand positions) pays a page fault per 4 KiB, every step: measured here, 3–6× the
/// arithmetic. <see cref="RetainFreedMemory"/> turns mmap-served blocks off and raises the trim threshold, so freed
/// blocks are reused. It changes no result, only where memory comes from; the price is that the process keeps its peak
/// heap. The <c>galt</c> command calls it at start-up; a library user opts in by calling it once.
/// </summary>
public static class HeapTuning
{
    private const int TrimThreshold = -1, MmapMax = -4; // glibc <malloc.h>: M_TRIM_THRESHOLD, M_MMAP_MAX

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>Whether <see cref="RetainFreedMemory"/> has taken effect in this process.</summary>
    public static bool Applied { get; private set; }

    /// <summary>
    /// On Linux with glibc: serve large blocks from the heap (M_MMAP_MAX = 0) and never trim it below 2 GiB
    /// (M_TRIM_THRESHOLD). Elsewhere, or where mallopt is missing or refuses, does nothing. Returns whether it applied.
    /// </summary>
    public static bool RetainFreedMemory()
    {
        if (Applied) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            Applied = Mallopt(MmapMax, 0) == 1 && Mallopt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Applied = false;
        }
        return Applied;
    }
}
