using Galt.Graph;
using Orleans.Runtime;
using static TorchSharp.torch;

namespace Galt.Orleans;

/// <summary>
/// The grain that holds one block. Its state lives in memory only: an activation that finds none (the silo holding the
/// block stopped, and Orleans activated the grain elsewhere) refuses every round instead of computing on a fresh block,
/// and the coordinator restores the chain from its last checkpoint.
/// </summary>
[KeepAlive]
[BlockPlacement]
internal sealed class BlockGrain : Grain, IBlockGrain
{
    private readonly IBlockFactory _factory;
    private readonly ILocalSiloDetails _silo;
    private readonly int _threads;
    private readonly StagedTransfers _transfers = new();
    private BlockNode? _node;
    private long _generation;

    public BlockGrain(IBlockFactory factory, ILocalSiloDetails silo, BlockThreads threads)
    {
        _factory = factory;
        _silo = silo;
        _threads = threads.Count;
    }

    private string Where => $"block grain '{this.GetPrimaryKeyString()}' on silo {_silo.SiloAddress}";

    public Task<string> Place(long generation, BlockSpec spec, double[] options, Frame state)
    {
        var entries = EntryStream.Unpack(_transfers.Open(state), Where);
        var block = _factory.Create(spec);
        BlockNode node;
        try
        {
            node = BlockWire.Rebuild(spec.Index, block, entries, ChainSettings.Read(options), _factory.TaskLoss(spec), Where);
        }
        catch
        {
            block.Dispose();
            block.Function.Dispose();
            throw;
        }
        Drop();
        _node = node;
        _generation = generation;
        return Task.FromResult(_silo.SiloAddress.ToString());
    }

    public Task<Frame> Handle(long generation, Frame message)
    {
        var node = Current(generation);
        double started = ThreadCpuClock.Now();
        // libtorch's thread count is per OS thread, and grain turns run on pool threads: set it for this turn only.
        int own = get_num_threads();
        if (own != _threads) set_num_threads(_threads);
        try
        {
            using var scope = NewDisposeScope();
            var decoded = BlockWire.DecodeMessage(EntryStream.Unpack(_transfers.Open(message), Where), Where);
            using var reply = node.Handle(decoded);
            var bytes = EntryStream.Pack(BlockWire.Encode(reply));
            return Task.FromResult(_transfers.Offer(bytes, PartLimit.Bytes) with { Seconds = ThreadCpuClock.Now() - started });
        }
        finally
        {
            if (own != _threads) set_num_threads(own);
        }
    }

    public Task<Frame> Collect(long generation, bool wholeState)
    {
        var node = Current(generation);
        var entries = wholeState ? BlockWire.State(node) : BlockWire.Parameters(node);
        return Task.FromResult(_transfers.Offer(EntryStream.Pack(entries), PartLimit.Bytes));
    }

    public Task Put(long transfer, int part, int parts, ReadOnlyMemory<byte> bytes)
    {
        _transfers.Put(transfer, part, parts, bytes);
        return Task.CompletedTask;
    }

    public Task<ReadOnlyMemory<byte>> Take(long transfer, int part) => Task.FromResult(_transfers.Take(transfer, part));

    public Task Release()
    {
        Drop();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Drop();
        return Task.CompletedTask;
    }

    private BlockNode Current(long generation)
    {
        if (_node is null)
            throw new InvalidOperationException($"{Where} holds no block state: this activation is new (the silo that held the block stopped, or the grain was deactivated). Restore the chain from its last checkpoint.");
        if (generation != _generation)
            throw new InvalidOperationException($"{Where} holds placement {_generation}, the coordinator sent {generation}: a stale coordinator or a stale block. Restore the chain from its last checkpoint.");
        return _node;
    }

    private void Drop()
    {
        if (_node is null) return;
        _node.Dispose();
        _node.Block.Dispose();
        _node.Block.Function.Dispose();
        _node = null;
    }
}
