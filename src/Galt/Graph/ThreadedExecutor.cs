using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// Runs block steps on up to <see cref="Workers"/> threads. libtorch's intra-op thread count is process-wide, so for
/// the phase it is set to cores / workers (at least 1) to keep workers from oversubscribing the cores, then restored.
/// </summary>
public sealed class ThreadedExecutor : IBlockExecutor
{
    private static readonly object Gate = new();

    /// <summary>
    /// Creates the executor; <paramref name="workers"/> defaults to the processor count, <paramref name="threadsPerWorker"/>
    /// (libtorch intra-op threads during a phase) to cores / workers.
    /// </summary>
    public ThreadedExecutor(int? workers = null, int? threadsPerWorker = null)
    {
        Workers = workers ?? Environment.ProcessorCount;
        if (Workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), $"worker count must be ≥ 1; got {Workers}.");
        if (threadsPerWorker is < 1) throw new ArgumentOutOfRangeException(nameof(threadsPerWorker), $"threads per worker must be ≥ 1; got {threadsPerWorker}.");
        ThreadsPerWorker = threadsPerWorker;
    }

    /// <summary>libtorch intra-op threads during a phase; null = cores / workers.</summary>
    public int? ThreadsPerWorker { get; }

    /// <inheritdoc />
    public int Workers { get; }

    /// <inheritdoc />
    public IReadOnlyList<TOut> Run<TIn, TOut>(IReadOnlyList<TIn> incoming, Func<int, TIn, TOut> step)
    {
        var results = new TOut[incoming.Count];
        lock (Gate)
        {
            int saved = get_num_threads();
            set_num_threads(ThreadsPerWorker ?? Math.Max(1, Environment.ProcessorCount / Math.Min(Workers, Math.Max(1, incoming.Count))));
            try
            {
                Parallel.For(0, incoming.Count, new ParallelOptions { MaxDegreeOfParallelism = Workers }, i =>
                {
                    using var scope = NewDisposeScope();
                    var result = step(i, incoming[i]);
                    if (result is Tensor t) t.MoveToOuterDisposeScope();
                    results[i] = result;
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                // One block failed (e.g. a NonFiniteValueException naming its constraint): surface that exception itself.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
            finally
            {
                set_num_threads(saved);
            }
        }
        return results;
    }
}
