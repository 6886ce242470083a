using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// Runs block steps on up to <see cref="Workers"/> threads, each with cores / workers libtorch intra-op threads (at
/// least 1) so workers do not oversubscribe the cores. libtorch's OpenMP thread count is a per-thread setting: one set
/// on the calling thread does not reach the pool threads the steps run on (they keep the default, every core), so
/// each worker sets its own for the duration of a step and restores it after.
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
            int threads = ThreadsPerWorker ?? Math.Max(1, Environment.ProcessorCount / Math.Min(Workers, Math.Max(1, incoming.Count)));
            int saved = get_num_threads();
            set_num_threads(threads);
            try
            {
                Parallel.For(0, incoming.Count, new ParallelOptions { MaxDegreeOfParallelism = Workers }, i =>
                {
                    int own = get_num_threads();
                    if (own != threads) set_num_threads(threads);
                    try
                    {
                        using var scope = NewDisposeScope();
                        var result = step(i, incoming[i]);
                        if (result is Tensor t) t.MoveToOuterDisposeScope();
                        results[i] = result;
                    }
                    finally
                    {
                        if (own != threads) set_num_threads(own);
                    }
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
