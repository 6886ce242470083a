namespace Galt.Graph;

/// <summary>Runs block steps one after another on the calling thread.</summary>
public sealed class SequentialExecutor : IBlockExecutor
{
    /// <inheritdoc />
    public int Workers => 1;

    /// <inheritdoc />
    public IReadOnlyList<TOut> Run<TIn, TOut>(IReadOnlyList<TIn> incoming, Func<int, TIn, TOut> step) =>
        incoming.Select((message, i) => step(i, message)).ToArray();
}
