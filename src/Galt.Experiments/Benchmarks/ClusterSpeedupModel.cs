namespace Galt.Experiments.Benchmarks;

/// <summary>
/// The time of measured rounds replayed on M machines: blocks spread contiguously (block v on machine ⌊v·M/B⌋), each
/// round as long as its busiest machine's blocks take one after another, plus — with more than one machine — one
/// round trip and the round's bytes through the coordinator's link (a star: every message passes the coordinator);
/// the coordinator's own work is serial. On one machine there is no network and every block runs in turn.
/// </summary>
/// <param name="Bandwidth">Bytes per second through the coordinator's link.</param>
/// <param name="Latency">Seconds per round for the round trip.</param>
internal sealed record ClusterSpeedupModel(double Bandwidth, double Latency)
{
    /// <summary>10 Gbit/s (1.25 GB/s) and 100 µs per round: a data-centre network.</summary>
    public static ClusterSpeedupModel DataCentre { get; } = new(1.25e9, 100e-6);

    /// <summary>Modelled seconds of <paramref name="rounds"/> on <paramref name="machines"/> machines.</summary>
    public double Seconds(IReadOnlyList<(double[] BlockSeconds, long Bytes)> rounds, int machines, double coordinatorSeconds)
    {
        if (machines < 1) throw new ArgumentOutOfRangeException(nameof(machines), $"machines must be ≥ 1; got {machines}.");
        double total = coordinatorSeconds;
        foreach (var (blockSeconds, bytes) in rounds)
        {
            int blocks = blockSeconds.Length;
            var busy = new double[machines];
            for (int v = 0; v < blocks; v++) busy[(int)((long)v * machines / blocks)] += blockSeconds[v];
            total += busy.Max() + (machines > 1 ? Latency + bytes / Bandwidth : 0);
        }
        return total;
    }
}
