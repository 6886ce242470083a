using Galt.Graph;
using static TorchSharp.torch;

namespace Galt.Tests.Graph;

/// <summary>
/// A host whose nodes are twins rebuilt from the chain's nodes' state entries, reached only through the wire codec: every
/// message and reply is encoded to bytes and decoded on the other side, as a process boundary would. What it computes
/// equal to <see cref="LocalBlockHost"/> is what any transport carrying <see cref="BlockWire"/> entries computes.
/// </summary>
internal sealed class WireBlockHost : IBlockHost, IDisposable
{
    private readonly Func<int, Block> _twinBlock;
    private readonly Galt.Graph.TaskLoss? _taskLoss;
    private IReadOnlyList<BlockNode> _originals = Array.Empty<BlockNode>();
    private BlockNode[] _twins = Array.Empty<BlockNode>();

    public WireBlockHost(Func<int, Block> twinBlock, Galt.Graph.TaskLoss? taskLoss = null)
    {
        _twinBlock = twinBlock;
        _taskLoss = taskLoss;
    }

    /// <summary>Bytes that crossed the wire (messages, replies, states).</summary>
    public long Bytes { get; private set; }

    public string Description => "wire twins (test)";

    public void Place(IReadOnlyList<BlockNode> nodes)
    {
        DisposeTwins();
        _originals = nodes;
        _twins = nodes.Select(n => BlockWire.Rebuild(n.Index, _twinBlock(n.Index), Count(BlockWire.State(n)), n.Options, n.IsLast ? _taskLoss : null)).ToArray();
    }

    public IReadOnlyList<BlockReply?> Round(IReadOnlyList<BlockMessage?> messages) => messages.Select((m, v) =>
    {
        if (m is null) return null;
        var sent = Count(BlockWire.Encode(m));
        IReadOnlyDictionary<string, byte[]> answer;
        using (var scope = NewDisposeScope())
        using (var reply = _twins[v].Handle(BlockWire.DecodeMessage(sent)))
            answer = Count(BlockWire.Encode(reply));
        return BlockWire.DecodeReply(answer);
    }).ToArray();

    public void Collect(bool wholeState = false)
    {
        for (int v = 0; v < _twins.Length; v++)
        {
            if (wholeState) BlockWire.Restore(_originals[v], Count(BlockWire.State(_twins[v])));
            else BlockWire.RestoreParameters(_originals[v], Count(BlockWire.Parameters(_twins[v])));
        }
    }

    private IReadOnlyDictionary<string, byte[]> Count(IReadOnlyDictionary<string, byte[]> entries)
    {
        Bytes += entries.Sum(e => e.Value.LongLength + e.Key.Length);
        return entries;
    }

    private void DisposeTwins()
    {
        foreach (var twin in _twins)
        {
            twin.Dispose();
            twin.Block.Dispose();
            twin.Block.Function.Dispose();
        }
        _twins = Array.Empty<BlockNode>();
    }

    public void Dispose() => DisposeTwins();
}
