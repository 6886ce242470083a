namespace Galt.Graph;

/// <summary>
/// Where a <see cref="SplitChain"/>'s block nodes live and how a round's messages reach them: the message seam. The chain
/// is the coordinator — it holds the training data, evaluates the external constraints, routes each reply to the
/// neighbour that needs it and never touches a node's state itself; a host delivers the messages of one round, has
/// every addressed node run <see cref="BlockNode.Handle"/>, and returns the replies. <see cref="LocalBlockHost"/> runs the
/// nodes in this process with an <see cref="IBlockExecutor"/> (the reference); a distributed host (the Galt.Orleans
/// package) runs each on a grain.
/// </summary>
public interface IBlockHost
{
    /// <summary>One line for reports: where the nodes run.</summary>
    string Description { get; }

    /// <summary>
    /// Takes the chain's nodes (their whole state as it stands now) to where they will run. Called by the chain once it
    /// has built them, and again after it restored them from a checkpoint.
    /// </summary>
    void Place(IReadOnlyList<BlockNode> nodes);

    /// <summary>
    /// Delivers <paramref name="messages"/>[v] to node v (none where it is null) and returns each node's reply at the same
    /// position (null where no message went). Nodes of one round never see each other's state.
    /// </summary>
    IReadOnlyList<BlockReply?> Round(IReadOnlyList<BlockMessage?> messages);

    /// <summary>
    /// Brings the running nodes' state back into the nodes given to <see cref="Place"/>: the modules' parameters (what
    /// evaluating the composed network needs), or with <paramref name="wholeState"/> everything a checkpoint writes.
    /// A host whose nodes are those objects does nothing.
    /// </summary>
    void Collect(bool wholeState = false);
}
