using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using TorchSharp;

namespace Galt.Diagnostics;

/// <summary>
/// Counts the TorchSharp objects that the garbage collector's finalizer freed while they still held libtorch memory,
/// instead of a deterministic <c>Dispose</c>. Such an object is the hazard behind TorchSharp's finalizer race: its
/// finalizer frees native memory on the finalizer thread, possibly while libtorch still uses it (a scalar or a temporary
/// tensor passed to a native call and unreachable from then on), and a long run dies in a segmentation fault
/// (docs/troubleshooting.md). <see cref="Count"/> above zero over a training step is such an object; <see cref="ByType"/>
/// names the kinds.
/// </summary>
/// <remarks>
/// <para>What is counted, and from where: every <c>Scalar</c>, <c>Generator</c> and optimizer whose finalizer ran (their
/// finalizers free a native object, and a disposed one is never finalized), from the .NET runtime's own
/// <c>FinalizeObject</c> event (provider <c>Microsoft-Windows-DotNETRuntime</c>, GC keyword, verbose level), which carries
/// each finalized object's type; and every tensor freed by its finalizer while it still owned a native tensor, from
/// TorchSharp's own per-thread dispose statistics read on the finalizer thread (a tensor's finalizer disposes it there).</para>
/// <para>What is not counted, but listed in <see cref="Others"/>: finalized TorchSharp objects that held nothing any code
/// still used — module handles and boxed modules (TorchSharp's module constructors make placeholders and replace them;
/// some modules' <c>Dispose</c> leaves the native handle to its finalizer), tensor shells whose native tensor moved into a
/// parameter, pinned arrays (whose <c>Dispose</c> never suppresses the finalizer). They are construction garbage of
/// TorchSharp itself, made when a model is built, not per step, and nothing reads them after.</para>
/// <para>Events reach the listener asynchronously: <see cref="Settle"/> collects, runs the pending finalizers and waits
/// until the listener has seen them, so the counts read after it are complete. The listener adds the runtime's verbose
/// GC events to the process while it lives (a few percent on allocation-heavy work); use it in tests, benchmarks and
/// soaks, not in production training.</para>
/// </remarks>
public sealed class FinalizedTorchObjects : EventListener
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private static readonly System.Reflection.Assembly TorchAssembly = typeof(torch).Assembly;
    private static readonly nint SentinelHandle = RuntimeTypeHandle.ToIntPtr(typeof(Sentinel).TypeHandle);

    /// <summary>Tensors disposed on the finalizer thread so far (TorchSharp's statistics there), as the last sentinel read them.</summary>
    private static long _finalizerThreadTensorDisposals;

    private readonly ConcurrentDictionary<nint, Type?> _types = new();
    private readonly ConcurrentDictionary<string, long> _hazards = new();
    private readonly ConcurrentDictionary<string, long> _others = new();
    private long _sentinelsSeen;
    private long _sentinelsMade;
    private long _tensorBaseline;
    private long _liveTensors;
    private volatile bool _enabled;

    /// <summary>Starts listening; objects finalized from now on are counted.</summary>
    public FinalizedTorchObjects()
    {
        // EventListener's base constructor calls OnEventSourceCreated for every existing source before this body runs;
        // the runtime source is enabled there or when it appears.
        _tensorBaseline = Interlocked.Read(ref _finalizerThreadTensorDisposals);
    }

    /// <summary>TorchSharp objects freed by their finalizer while holding libtorch memory, since the start or <see cref="Reset"/> (complete after <see cref="Settle"/>).</summary>
    public long Count => _hazards.Values.Sum() + Interlocked.Read(ref _liveTensors);

    /// <summary><see cref="Count"/> by kind (e.g. <c>Scalar: 3, Tensor: 12</c>).</summary>
    public IReadOnlyDictionary<string, long> ByType
    {
        get
        {
            var all = new Dictionary<string, long>(_hazards);
            long tensors = Interlocked.Read(ref _liveTensors);
            if (tensors > 0) all["Tensor"] = tensors;
            return all;
        }
    }

    /// <summary>Other finalized TorchSharp objects, not in <see cref="Count"/> (see the remarks), by type.</summary>
    public IReadOnlyDictionary<string, long> Others => new Dictionary<string, long>(_others);

    /// <summary>Whether the runtime's finalization events reach this listener (false where the runtime has no event
    /// support, e.g. <c>EventSourceSupport</c> trimmed away; <see cref="Settle"/> then refuses).</summary>
    public bool Listening => _enabled;

    /// <summary>Forgets what was counted so far (call after <see cref="Settle"/>).</summary>
    public void Reset()
    {
        _hazards.Clear();
        _others.Clear();
        Interlocked.Exchange(ref _liveTensors, 0);
        _tensorBaseline = Interlocked.Read(ref _finalizerThreadTensorDisposals);
    }

    /// <summary>
    /// Collects garbage, runs pending finalizers, and waits (at most <paramref name="timeout"/>) until the listener
    /// has seen every finalization that happened; then the counts are complete.
    /// </summary>
    /// <exception cref="InvalidOperationException">No runtime events reach the listener, or they did not arrive in time.</exception>
    public void Settle(TimeSpan? timeout = null)
    {
        if (!_enabled)
            throw new InvalidOperationException("the runtime's FinalizeObject events are not reaching this listener (event support disabled in this process?), so finalized TorchSharp objects cannot be counted.");
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        for (var round = 0; round < 2; round++)
        {
            // Two rounds: an object finalized in the first can release others that the second finalizes.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        // The sentinel is finalized after everything queued before it (one finalizer thread, in order): once its event
        // arrives, the events of the objects finalized before it have arrived too, and its finalizer has read
        // TorchSharp's tensor statistics on the finalizer thread.
        var expected = MakeSentinel();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        while (Interlocked.Read(ref _sentinelsSeen) < expected)
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the runtime's FinalizeObject events did not arrive within {limit.TotalSeconds:0} s; the finalized-object count is incomplete.");
            Thread.Sleep(5);
        }
        Interlocked.Exchange(ref _liveTensors, Interlocked.Read(ref _finalizerThreadTensorDisposals) - _tensorBaseline);
    }

    /// <summary>The count and its kinds, e.g. <c>3 (Scalar 2, Tensor 1)</c>.</summary>
    public override string ToString()
    {
        var kinds = ByType.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}");
        return Count == 0 ? "0" : $"{Count} ({string.Join(", ", kinds)})";
    }

    private long MakeSentinel()
    {
        var made = Interlocked.Increment(ref _sentinelsMade);
        Allocate();
        return made;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static void Allocate() => _ = new Sentinel();
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name != RuntimeProvider) return;
        EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        _enabled = true;
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "FinalizeObject" || eventData.Payload is not { Count: > 0 } payload) return;
        var typeHandle = ReadHandle(payload[eventData.PayloadNames!.IndexOf("TypeID")]);
        if (typeHandle == SentinelHandle)
        {
            Interlocked.Increment(ref _sentinelsSeen);
            return;
        }
        var type = _types.GetOrAdd(typeHandle, Resolve);
        if (type is null || !IsTorchObject(type)) return;
        var tally = FreesWhatItHolds(type) ? _hazards : _others;
        tally.AddOrUpdate(type.Name, 1, (_, n) => n + 1);
    }

    /// <summary>A TorchSharp type, or one derived from it (a module of yours).</summary>
    private static bool IsTorchObject(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.Assembly == TorchAssembly) return true;
        return false;
    }

    /// <summary>Scalars, generators and optimizers: finalized only when never disposed, and then they free a native object.
    /// Tensors are counted from TorchSharp's statistics instead (only those that still owned a native tensor).</summary>
    private static bool FreesWhatItHolds(Type type) =>
        type == typeof(Scalar) || typeof(torch.Generator).IsAssignableFrom(type) || typeof(torch.optim.Optimizer).IsAssignableFrom(type);

    private static nint ReadHandle(object? value) => value switch
    {
        ulong u => unchecked((nint)u),
        long l => (nint)l,
        nint p => p,
        nuint p => unchecked((nint)p),
        uint u => (nint)u,
        _ => 0,
    };

    private static Type? Resolve(nint handle)
    {
        if (handle == 0) return null;
        try { return Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(handle)); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>An object whose finalization marks a point in the runtime's event stream, and reads TorchSharp's tensor
    /// statistics on the finalizer thread.</summary>
    private sealed class Sentinel
    {
        ~Sentinel()
        {
            var tensors = DisposeScopeManager.Statistics.TensorStatistics;
            Interlocked.Exchange(ref _finalizerThreadTensorDisposals, tensors.DisposedInScopeCount + tensors.DisposedOutsideScopeCount);
        }
    }
}
