using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks;

/// <summary>One reading of the process's memory during a long run.</summary>
/// <param name="Step">Steps taken when the reading was made (0: before the first).</param>
/// <param name="ResidentBytes">Resident set size: <c>VmRSS</c> of <c>/proc/self/status</c> on Linux, the working set elsewhere.</param>
/// <param name="ManagedBytes">Bytes on the .NET garbage-collected heap (<c>GC.GetTotalMemory</c>).</param>
/// <param name="NativeHeapBytes">Bytes the C heap has handed out and not had back (glibc <c>mallinfo2</c>: in-use chunks plus
/// mmap-served blocks); libtorch's CPU tensors live there. −1 where it cannot be read (not glibc).</param>
/// <param name="LiveTensors">TorchSharp tensors alive in the whole process (<c>torch.Tensor.TotalCount</c>).</param>
/// <param name="UndisposedTensors">Tensors created on the sampling thread minus those disposed on it (TorchSharp's per-thread
/// statistics): a tensor freed by its finalizer, not by a dispose scope or <c>Dispose()</c>, stays counted.</param>
/// <param name="Threads">Operating-system threads of the process: each new one brings a stack and, under glibc, may bring a
/// malloc arena, both resident memory that no heap figure shows.</param>
public sealed record MemorySample(int Step, long ResidentBytes, long ManagedBytes, long NativeHeapBytes, long LiveTensors, long UndisposedTensors, int Threads);

/// <summary>
/// Reads the current process's memory for the long-run memory benchmark: resident set, managed heap, C heap in use,
/// live TorchSharp tensors and threads. <see cref="Sample"/> runs a full blocking garbage collection first (and waits for finalizers),
/// so a tensor that is unreachable but not yet finalized does not count as growth.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resident set size in bytes: <c>VmRSS</c> on Linux, else the working set after <c>Refresh()</c>.</summary>
    public static long ResidentBytes()
    {
        if (StatusField("VmRSS") is { } kb) return kb * 1024; // "VmRSS:	  123456 kB"
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    /// <summary>Threads of the process: <c>Threads</c> on Linux, else the process's thread list.</summary>
    public static int Threads()
    {
        if (StatusField("Threads") is { } n) return (int)n;
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    /// <summary>The first number of a <c>/proc/self/status</c> line (<c>Name:  value …</c>); null off Linux or when absent.</summary>
    private static long? StatusField(string name)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/status")) return null;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : null;
            }
        return null;
    }

    /// <summary>Bytes in use on the C heap (glibc ≥ 2.33 <c>mallinfo2</c>, summed over arenas); −1 where unavailable.</summary>
    public static long NativeHeapBytes()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        try
        {
            var info = MallInfo2();
            return (long)(info.Uordblks + info.Hblkhd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Hands the C heap's free pages back to the operating system (glibc <c>malloc_trim(0)</c>); returns whether it ran.
    /// <see cref="Galt.HeapTuning.RetainFreedMemory"/> keeps freed blocks resident, so without this a run's resident set
    /// starts at the previous run's high-water mark and could hide growth below it.
    /// </summary>
    public static bool TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Collects garbage (full, blocking, with pending finalizers run, then once more for what they released) and reads
    /// every figure of a <see cref="MemorySample"/>.
    /// </summary>
    public static MemorySample Sample(int step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new MemorySample(step, ResidentBytes(), GC.GetTotalMemory(forceFullCollection: false), NativeHeapBytes(), Tensor.TotalCount,
            DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount, Threads());
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2Result
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2Result MallInfo2();

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
