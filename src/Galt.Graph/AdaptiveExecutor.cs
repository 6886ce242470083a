using System.Diagnostics;

namespace Galt.Graph;

/// <summary>
/// Picks, per phase, between block parallelism (a <see cref="ThreadedExecutor"/>: several workers, each with its share
/// of libtorch's threads) and intra-op parallelism (one step after another on the calling thread, libtorch using every
/// core). Which is faster depends on the blocks' sizes and count and on the machine, so it is measured: the first
/// <see cref="Trials"/> calls of each phase (phases are told apart by their message types and count) alternate the two
/// modes and time them; later calls use the faster by median. <see cref="Choices"/> reports what was chosen.
/// The two modes run the same steps in a different floating-point order, so a run's results can differ in the last
/// bits from one run to the next when the choice does; pick a fixed executor for bit-for-bit repeatable runs.
/// </summary>
public sealed class AdaptiveExecutor : IBlockExecutor
{
    private readonly ThreadedExecutor _blocks;
    private readonly SequentialExecutor _intraOp = new();
    private readonly Dictionary<(Type, Type, int), (List<double> Blocks, List<double> IntraOp)> _timings = new();

    /// <summary>Creates the executor with <paramref name="workers"/> block workers (default: the processor count), each with one libtorch thread by default.</summary>
    public AdaptiveExecutor(int? workers = null, int threadsPerWorker = 1, int trials = 2)
    {
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), $"trials per mode must be ≥ 1; got {trials}.");
        _blocks = new ThreadedExecutor(workers, threadsPerWorker);
        Trials = trials;
    }

    /// <summary>Timed calls per mode and phase before the choice is fixed.</summary>
    public int Trials { get; }

    /// <inheritdoc />
    public int Workers => _blocks.Workers;

    /// <summary>The mode chosen for each phase measured so far: "blocks" or "intra-op" (null while still trying), keyed by a readable phase name.</summary>
    public IReadOnlyDictionary<string, string?> Choices => _timings.ToDictionary(
        e => $"{e.Key.Item1.Name}→{e.Key.Item2.Name} ×{e.Key.Item3}", e => Chosen(e.Value) is { } blocks ? (blocks ? "blocks" : "intra-op") : null);

    /// <inheritdoc />
    public IReadOnlyList<TOut> Run<TIn, TOut>(IReadOnlyList<TIn> incoming, Func<int, TIn, TOut> step)
    {
        var key = (typeof(TIn), typeof(TOut), incoming.Count);
        if (!_timings.TryGetValue(key, out var timing)) _timings[key] = timing = (new List<double>(), new List<double>());
        if (Chosen(timing) is { } useBlocks) return useBlocks ? _blocks.Run(incoming, step) : _intraOp.Run(incoming, step);
        bool tryBlocks = timing.Blocks.Count <= timing.IntraOp.Count;
        var clock = Stopwatch.StartNew();
        var result = tryBlocks ? _blocks.Run(incoming, step) : _intraOp.Run(incoming, step);
        (tryBlocks ? timing.Blocks : timing.IntraOp).Add(clock.Elapsed.TotalSeconds);
        return result;
    }

    /// <summary>True for blocks, false for intra-op, null while a mode has fewer than <see cref="Trials"/> timings.</summary>
    private bool? Chosen((List<double> Blocks, List<double> IntraOp) timing) =>
        timing.Blocks.Count < Trials || timing.IntraOp.Count < Trials ? null : Median(timing.Blocks) < Median(timing.IntraOp);

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
