namespace Galt.Graph;

/// <summary>
/// The in-process host: the nodes are the chain's own objects and each round runs on an <see cref="IBlockExecutor"/>
/// (one after another, on worker threads, or whichever is measured faster). The reference every other host is checked against.
/// </summary>
public sealed class LocalBlockHost : IBlockHost
{
    private IReadOnlyList<BlockNode> _nodes = Array.Empty<BlockNode>();

    /// <summary>Creates the host over <paramref name="executor"/> (default: <see cref="SequentialExecutor"/>).</summary>
    public LocalBlockHost(IBlockExecutor? executor = null) => Executor = executor ?? new SequentialExecutor();

    /// <summary>The executor that runs each round's node steps.</summary>
    public IBlockExecutor Executor { get; }

    /// <inheritdoc />
    public string Description => $"in process, {Executor.GetType().Name} ({Executor.Workers} worker{(Executor.Workers == 1 ? "" : "s")})";

    /// <inheritdoc />
    public void Place(IReadOnlyList<BlockNode> nodes) => _nodes = nodes ?? throw new ArgumentNullException(nameof(nodes));

    /// <inheritdoc />
    public IReadOnlyList<BlockReply?> Round(IReadOnlyList<BlockMessage?> messages)
    {
        if (messages.Count != _nodes.Count)
            throw new ArgumentException($"a round has one message slot per node: {_nodes.Count} nodes, {messages.Count} slots.", nameof(messages));
        var addressed = Enumerable.Range(0, messages.Count).Where(v => messages[v] is not null).Select(v => (Slot: v, Node: _nodes[v], Message: messages[v]!)).ToArray();
        var replies = Executor.Run(addressed, (_, m) => m.Node.Handle(m.Message));
        var byNode = new BlockReply?[messages.Count];
        for (int i = 0; i < addressed.Length; i++) byNode[addressed[i].Slot] = replies[i];
        return byNode;
    }

    /// <inheritdoc />
    public void Collect(bool wholeState = false) { }
}
