using System.Diagnostics;
using Orleans.Runtime;

namespace Galt.Orleans;

/// <summary>Waiting for a cluster's silos before placing blocks on them.</summary>
public static class ClusterReadiness
{
    /// <summary>
    /// Waits until the cluster has at least <paramref name="count"/> active silos and returns them in placement order (the
    /// order <see cref="BlockPlacement"/>'s silo index counts in), asking every second. Blocks placed before the silos joined
    /// would all start on the first ones.
    /// </summary>
    /// <exception cref="TimeoutException">Fewer than <paramref name="count"/> silos were active after <paramref name="timeout"/>; the message says how many were.</exception>
    public static async Task<IReadOnlyList<SiloAddress>> WaitForSilosAsync(this IClusterClient client, int count, TimeSpan timeout, Action<int>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"the silo count must be ≥ 1; got {count}.");
        var management = client.GetGrain<IManagementGrain>(0);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var active = (await management.GetHosts(onlyActive: true).ConfigureAwait(false)).Keys.ToArray();
            progress?.Invoke(active.Length);
            if (active.Length >= count) return BlockPlacementDirector.Ordered(active);
            if (clock.Elapsed >= timeout)
                throw new TimeoutException($"the cluster has {active.Length} active silo(s) after {timeout.TotalSeconds:0} s; {count} were asked for. Start the missing silos (galt silo --membership …) or ask for fewer.");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation).ConfigureAwait(false);
        }
    }
}
