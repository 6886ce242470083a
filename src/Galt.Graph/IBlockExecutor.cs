namespace Galt.Graph;

/// <summary>
/// Runs one phase of independent block steps. The seam where a distributed executor plugs in later: each step takes
/// its block's incoming messages and returns its outgoing ones, and steps of one phase never share mutable state.
/// </summary>
public interface IBlockExecutor
{
    /// <summary>Runs <paramref name="step"/> for every message in <paramref name="incoming"/>; results in the same order.</summary>
    IReadOnlyList<TOut> Run<TIn, TOut>(IReadOnlyList<TIn> incoming, Func<int, TIn, TOut> step);

    /// <summary>Workers used at most.</summary>
    int Workers { get; }
}
