using System.Diagnostics;
using Galt.Graph;

namespace Galt.Orleans;

/// <summary>
/// Runs a <see cref="SplitChain"/>'s blocks as grains of an Orleans cluster: block v is the grain <c>run/v@k</c> on silo k
/// (<see cref="BlockPlacement"/>). Every round sends each addressed grain its message as bytes (<see cref="BlockWire"/>),
/// all at once, and waits for every reply before the chain goes on: synchronous rounds, driven from here, so no grain
/// ever waits on another. Frames above <see cref="PartBytes"/> travel in parts. Counts bytes and time for reports.
/// The chain's calls are synchronous and block their thread until a round is done: drive the chain from your own thread
/// (a program's main thread, a test), not from a thread-pool thread a silo in the same process needs.
/// </summary>
public sealed class OrleansBlockHost : IBlockHost, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly BlockSpec[] _specs;
    private readonly int[] _siloOfBlock;
    private readonly string _run;
    private readonly StagedTransfers _transfers = new();
    private readonly Stopwatch _clock = new();
    private IReadOnlyList<BlockNode> _nodes = Array.Empty<BlockNode>();
    private IBlockGrain[] _grainOf = Array.Empty<IBlockGrain>();
    private long _generation, _nextTransfer;
    private string[] _placement = Array.Empty<string>();

    /// <summary>
    /// Creates the host for a chain of <paramref name="specs"/>.Count blocks; block v starts on silo
    /// <paramref name="siloOfBlock"/>[v] (default: all on silo 0); <paramref name="run"/> keys the grains (default: a new id).
    /// </summary>
    public OrleansBlockHost(IGrainFactory grains, IReadOnlyList<BlockSpec> specs, IReadOnlyList<int>? siloOfBlock = null, string? run = null)
    {
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _specs = specs.ToArray();
        if (_specs.Length == 0) throw new ArgumentException("a chain needs at least one block spec.", nameof(specs));
        for (int v = 0; v < _specs.Length; v++)
            if (_specs[v].Index != v) throw new ArgumentException($"spec {v} ('{_specs[v].Name}') has index {_specs[v].Index}; specs go in chain order.", nameof(specs));
        _siloOfBlock = siloOfBlock?.ToArray() ?? new int[_specs.Length];
        if (_siloOfBlock.Length != _specs.Length || _siloOfBlock.Any(k => k < 0))
            throw new ArgumentException($"one silo index ≥ 0 per block: {_specs.Length} blocks, got [{string.Join(", ", _siloOfBlock)}].", nameof(siloOfBlock));
        _run = run ?? Guid.NewGuid().ToString("N");
    }

    /// <summary>Largest frame sent in one Orleans message; larger ones are split (default 64 MiB, under Orleans' 100 MiB limit).</summary>
    public int PartBytes { get; init; } = 64 << 20;

    /// <inheritdoc />
    public string Description => $"Orleans, {_specs.Length} block grains on silos [{string.Join(", ", _siloOfBlock)}]";

    /// <summary>After <see cref="Place"/>: the silo each block's grain runs on, as Orleans names it.</summary>
    public IReadOnlyList<string> Placement => _placement;

    /// <summary>Bytes sent to the grains (messages, states) and received from them (replies, collected states).</summary>
    public long BytesSent { get; private set; }

    /// <inheritdoc cref="BytesSent"/>
    public long BytesReceived { get; private set; }

    /// <summary>Rounds delivered, and the wall seconds spent in rounds, placements and collections (encoding included).</summary>
    public long Rounds { get; private set; }

    /// <inheritdoc cref="Rounds"/>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Per round delivered: each block's compute seconds on its silo (CPU seconds of the grain's thread on Linux; 0 where it
    /// got no message) and the bytes the round
    /// moved both ways — what a model of the same rounds on other machines and networks starts from.
    /// </summary>
    public IReadOnlyList<(double[] BlockSeconds, long Bytes)> RoundLog => _log;

    /// <summary>Seconds the coordinator spent encoding messages and decoding replies.</summary>
    public double CodecSeconds => _codec.Elapsed.TotalSeconds;

    private readonly List<(double[] BlockSeconds, long Bytes)> _log = new();
    private readonly Stopwatch _codec = new();

    /// <inheritdoc />
    public void Place(IReadOnlyList<BlockNode> nodes)
    {
        if (nodes.Count != _specs.Length) throw new ArgumentException($"{nodes.Count} nodes for {_specs.Length} block specs.", nameof(nodes));
        _nodes = nodes;
        _generation++;
        _grainOf = Enumerable.Range(0, _specs.Length).Select(v => _grains.GetGrain<IBlockGrain>($"{_run}/{v}@{_siloOfBlock[v]}")).ToArray();
        var states = nodes.Select(n => EntryStream.Pack(BlockWire.State(n))).ToArray();
        _placement = Timed(() => Task.WhenAll(Enumerable.Range(0, _specs.Length).Select(async v =>
            await _grainOf[v].Place(_generation, _specs[v], ChainSettings.Write(nodes[v].Options), await Send(_grainOf[v], states[v])))));
    }

    /// <inheritdoc />
    public IReadOnlyList<BlockReply?> Round(IReadOnlyList<BlockMessage?> messages)
    {
        if (messages.Count != _specs.Length) throw new ArgumentException($"a round has one message slot per block: {_specs.Length} blocks, {messages.Count} slots.", nameof(messages));
        if (_grainOf.Length == 0) throw new InvalidOperationException("the blocks are not placed yet: a chain places them when it is created.");
        _codec.Start();
        var encoded = messages.Select(m => m is null ? null : EntryStream.Pack(BlockWire.Encode(m))).ToArray();
        _codec.Stop();
        var seconds = new double[encoded.Length];
        var answers = Timed(() => Task.WhenAll(Enumerable.Range(0, encoded.Length).Select(async v =>
        {
            if (encoded[v] is null) return null;
            var frame = await _grainOf[v].Handle(_generation, await Send(_grainOf[v], encoded[v]!));
            seconds[v] = frame.Seconds;
            return await Receive(_grainOf[v], frame);
        })));
        Rounds++;
        _log.Add((seconds, encoded.Sum(e => e?.LongLength ?? 0) + answers.Sum(a => a?.LongLength ?? 0)));
        _codec.Start();
        try
        {
            return answers.Select((a, v) => a is null ? null : BlockWire.DecodeReply(EntryStream.Unpack(a, Origin(v)), Origin(v))).ToArray();
        }
        finally
        {
            _codec.Stop();
        }
    }

    /// <inheritdoc />
    public void Collect(bool wholeState = false)
    {
        if (_grainOf.Length == 0) return;
        var answers = Timed(() => Task.WhenAll(Enumerable.Range(0, _grainOf.Length).Select(async v => await Receive(_grainOf[v], await _grainOf[v].Collect(_generation, wholeState)))));
        for (int v = 0; v < answers.Length; v++)
        {
            var entries = EntryStream.Unpack(answers[v], Origin(v));
            if (wholeState) BlockWire.Restore(_nodes[v], entries, Origin(v));
            else BlockWire.RestoreParameters(_nodes[v], entries, Origin(v));
        }
    }

    /// <summary>Drops the blocks' state on the grains.</summary>
    public void Dispose()
    {
        if (_grainOf.Length == 0) return;
        try { Task.WhenAll(_grainOf.Select(g => g.Release())).GetAwaiter().GetResult(); }
        catch (Exception) { /* the cluster may already be gone; the grains' memory goes with it */ }
        _grainOf = Array.Empty<IBlockGrain>();
    }

    private string Origin(int v) => $"block {v} ('{_specs[v].Name}') on {(v < _placement.Length ? _placement[v] : "its silo")}";

    private T Timed<T>(Func<Task<T>> work)
    {
        _clock.Start();
        try { return work().GetAwaiter().GetResult(); }
        finally { _clock.Stop(); }
    }

    private async Task<Frame> Send(IBlockGrain grain, byte[] bytes)
    {
        lock (_transfers) BytesSent += bytes.LongLength;
        if (bytes.Length <= PartBytes) return new Frame { Bytes = bytes, Length = bytes.Length };
        long transfer = Interlocked.Increment(ref _nextTransfer);
        var parts = StagedTransfers.Split(bytes, PartBytes);
        for (int p = 0; p < parts.Length; p++) await grain.Put(transfer, p, parts.Length, parts[p]);
        return new Frame { Transfer = transfer, Parts = parts.Length, Length = bytes.LongLength };
    }

    private async Task<byte[]> Receive(IBlockGrain grain, Frame frame)
    {
        byte[] bytes;
        if (frame.Transfer == 0) bytes = frame.Bytes.ToArray();
        else
        {
            bytes = new byte[frame.Length];
            long offset = 0;
            for (int p = 0; p < frame.Parts; p++)
            {
                var part = await grain.Take(frame.Transfer, p);
                part.Span.CopyTo(bytes.AsSpan((int)offset));
                offset += part.Length;
            }
        }
        lock (_transfers) BytesReceived += bytes.LongLength;
        return bytes;
    }
}
