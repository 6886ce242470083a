namespace Galt.Graph;

/// <summary>
/// Runs one round of independent node steps in this process (<see cref="LocalBlockHost"/>): each step takes its node's
/// message and returns the node's reply, and steps of one round never share mutable state.
/// </summary>
public interface IBlockExecutor
{
    /// <summary>Runs <paramref name="step"/> for every message in <paramref name="incoming"/>; results in the same order.</summary>
    IReadOnlyList<TOut> Run<TIn, TOut>(IReadOnlyList<TIn> incoming, Func<int, TIn, TOut> step);

    /// <summary>Workers used at most.</summary>
    int Workers { get; }
}
