using System.Text.Json;

/// <summary>
/// The garbage-collector stress of <c>galt soak</c>, loaded by the runtime into the soaked process before its entry point
/// (<c>DOTNET_STARTUP_HOOKS</c>; the runtime requires this class name, in no namespace, and an <c>Initialize</c> method).
/// With <c>GALT_GC_STRESS_MS</c> set, a background thread forces a full collection and runs the pending finalizers every
/// that many milliseconds, so that a TorchSharp object left to its finalizer is freed while the main thread is inside a
/// native libtorch call: the race that kills long runs, provoked within minutes. It works on any build of the CLI, old
/// or new. With <c>GALT_GC_STRESS_SHARE</c> set to s in (0, 1), the thread also waits at least t·(1 − s)/s after a
/// forced collection that took t, so forced collections take at most that share of the wall time: on a process with a
/// large managed heap a full collection takes longer than the interval, and back-to-back collections would stall its
/// training instead of racing it. With <c>GALT_SOAK_REPORT</c> set it writes, at a clean exit, the forced collections as JSON to that file (a
/// build that can count finalized TorchSharp objects writes those beside it, <c>&lt;file&gt;.finalized.json</c>). With
/// <c>GALT_CRASH_AFTER_MS</c> set it ends the process by a real segmentation fault after that long (a drill).
/// </summary>
internal static class StartupHook
{
    private static volatile bool _stop;
    private static long _collections;
    private static long _collectionTicks;
    private static long _stretched;
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();
    private static Thread? _thread;

    /// <summary>Called by the runtime before the application's entry point.</summary>
    public static void Initialize()
    {
        StartCrashDrill();
        var interval = Environment.GetEnvironmentVariable("GALT_GC_STRESS_MS");
        if (string.IsNullOrEmpty(interval) || !int.TryParse(interval, out int ms) || ms < 0) return;
        double share = 1;
        var shareText = Environment.GetEnvironmentVariable("GALT_GC_STRESS_SHARE");
        if (!string.IsNullOrEmpty(shareText) && double.TryParse(shareText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 && s < 1)
            share = s;
        var report = Environment.GetEnvironmentVariable("GALT_SOAK_REPORT");
        if (!string.IsNullOrEmpty(report)) AppDomain.CurrentDomain.ProcessExit += (_, _) => Write(report);
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                long took = System.Diagnostics.Stopwatch.GetTimestamp() - start;
                Interlocked.Increment(ref _collections);
                Interlocked.Add(ref _collectionTicks, took);
                double tookMs = took * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
                double bound = share < 1 ? tookMs * (1 - share) / share : 0;
                if (bound > ms) Interlocked.Increment(ref _stretched);
                double wait = Math.Max(ms, bound);
                if (wait > 0) Thread.Sleep(TimeSpan.FromMilliseconds(wait));
            }
        }) { IsBackground = true, Name = "galt soak: GC stress" };
        _thread.Start();
    }

    /// <summary>
    /// The crash drill (tests of the launcher): with <c>GALT_CRASH_AFTER_MS</c> set, a thread makes a real segmentation
    /// fault in native code after that many milliseconds — the way libtorch dies on freed memory, which a signal sent
    /// from outside (which .NET handles) does not reproduce.
    /// </summary>
    private static void StartCrashDrill()
    {
        var after = Environment.GetEnvironmentVariable("GALT_CRASH_AFTER_MS");
        if (string.IsNullOrEmpty(after) || !int.TryParse(after, out int ms) || ms < 0) return;
        new Thread(() =>
        {
            Thread.Sleep(ms);
            Console.Error.WriteLine($"galt crash drill: a segmentation fault in native code, {ms} ms after start.");
            _ = NativeStrlen(IntPtr.Zero);
        }) { IsBackground = true, Name = "galt crash drill" }.Start();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "strlen")]
    private static extern nuint NativeStrlen(IntPtr text);

    private static void Write(string path)
    {
        // No Join: at exit the stress thread may wait on finalizers that no longer run.
        _stop = true;
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ForcedCollections"] = Interlocked.Read(ref _collections),
            ["Gen0Collections"] = GC.CollectionCount(0),
            ["Gen2Collections"] = GC.CollectionCount(2),
            ["ForcedCollectionSeconds"] = Interlocked.Read(ref _collectionTicks) / (double)System.Diagnostics.Stopwatch.Frequency,
            ["StretchedWaits"] = Interlocked.Read(ref _stretched),
            ["GcPauseSeconds"] = GC.GetTotalPauseDuration().TotalSeconds,
            ["Seconds"] = Clock.Elapsed.TotalSeconds,
        });
        File.WriteAllText(path, json);
    }
}
