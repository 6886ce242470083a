using Galt.Continual;
using Galt.Orleans;
using Microsoft.Extensions.Hosting;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// The silos a run places its blocks on, and a client connected to them: silo processes it starts on this machine
/// (<see cref="LocalSilos"/>), or silos already running on several machines that it joins through their membership
/// table (<c>--membership</c>). Disposing releases what the run started.
/// </summary>
public interface ISiloCluster : IDisposable
{
    /// <summary>The client of the cluster.</summary>
    IClusterClient Client { get; }

    /// <summary>Silos the blocks are spread over.</summary>
    int Count { get; }

    /// <summary>Where the silos are, in words, for the run's report.</summary>
    string Description { get; }
}

/// <summary>Opens the cluster a run asked for.</summary>
public static class SiloClusters
{
    /// <summary>
    /// With <paramref name="membership"/> (a PostgreSQL connection string): joins the silos registered there and waits up
    /// to <paramref name="joinTimeout"/> (default 2 minutes) until <paramref name="count"/> are active. Without: starts
    /// <paramref name="count"/> silo processes on this machine whose block rounds run with <paramref name="threadsPerBlock"/> libtorch threads.
    /// </summary>
    public static ISiloCluster Open(int count, string? membership, IProgressSink progress, int threadsPerBlock = 1, TimeSpan? joinTimeout = null) =>
        membership is null ? new LocalSilos(count, progress, threadsPerBlock) : new JoinedSilos(membership, count, progress, joinTimeout ?? TimeSpan.FromMinutes(2));

    /// <summary>Checks, before any work, that <c>--membership</c> comes with <c>--executor orleans</c>.</summary>
    public static void CheckOptions(RunContext context)
    {
        if (context.Membership is not null && context.Executor != "orleans") throw new ArgumentException("--membership needs --executor orleans.");
        if (context.Membership is { } m && string.IsNullOrWhiteSpace(m)) throw new ArgumentException("--membership is empty; give the PostgreSQL connection string the silos were started with.");
    }
}

/// <summary>Silos started elsewhere (<c>galt silo --membership …</c>), joined through their membership table in PostgreSQL.</summary>
internal sealed class JoinedSilos : ISiloCluster
{
    private readonly IHost _client;

    public JoinedSilos(string membership, int count, IProgressSink progress, TimeSpan timeout)
    {
        _client = PostgreSqlClustering.Client(membership);
        try
        {
            _client.StartAsync().GetAwaiter().GetResult();
            Client = _client.ClusterClient();
            using var bar = progress.Start($"waiting for {count} silo{(count == 1 ? "" : "s")} in the membership table", count);
            int seen = 0;
            var silos = Client.WaitForSilosAsync(count, timeout, active => { if (active > seen) { bar.Advance(Math.Min(active, count) - seen); seen = Math.Min(active, count); } })
                .GetAwaiter().GetResult();
            Count = count;
            Description = $"{count} of {silos.Count} active silos joined through the membership table (PostgreSQL): {string.Join(", ", silos.Take(count))}";
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IClusterClient Client { get; } = null!;

    public int Count { get; }

    public string Description { get; } = "";

    public void Dispose()
    {
        try { _client.StopAsync().Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _client.Dispose();
    }
}
