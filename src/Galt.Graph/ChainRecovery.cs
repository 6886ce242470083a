using System.Diagnostics;
using Galt.Checkpoints;

namespace Galt.Graph;

/// <summary>
/// Trains a <see cref="SplitChain"/> through the loss of block nodes: before every <see cref="Every"/>-th minibatch it
/// keeps a checkpoint of the whole chain (in memory), and when a minibatch fails — a silo holding blocks stopped, a grain
/// came back without its state — it restores that checkpoint (placing the blocks again, on whichever hosts remain, retried
/// until <see cref="PlaceTimeout"/>) and replays the minibatches since. A recovered run equals an uninterrupted one: what
/// is lost is the work since the checkpoint, never state. At most <see cref="MaxRecoveries"/> recoveries per
/// <see cref="Train"/>; the next failure is thrown.
/// </summary>
public sealed class ChainRecovery
{
    private readonly SplitChain _chain;
    private readonly List<string> _events = new();

    /// <summary>Creates the recovery for <paramref name="chain"/>, checkpointing every <paramref name="every"/> minibatches.</summary>
    public ChainRecovery(SplitChain chain, int every = 20, int maxRecoveries = 3, TimeSpan? placeTimeout = null)
    {
        _chain = chain ?? throw new ArgumentNullException(nameof(chain));
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), $"minibatches between checkpoints must be ≥ 1; got {every}.");
        if (maxRecoveries < 0) throw new ArgumentOutOfRangeException(nameof(maxRecoveries), $"recoveries must be ≥ 0; got {maxRecoveries}.");
        Every = every;
        MaxRecoveries = maxRecoveries;
        PlaceTimeout = placeTimeout ?? TimeSpan.FromSeconds(120);
    }

    /// <summary>Minibatches between checkpoints.</summary>
    public int Every { get; }

    /// <summary>Recoveries allowed per <see cref="Train"/> call.</summary>
    public int MaxRecoveries { get; }

    /// <summary>How long a restore keeps trying to place the blocks again (a stopped silo leaves the membership only after its probes time out).</summary>
    public TimeSpan PlaceTimeout { get; }

    /// <summary>Recoveries so far.</summary>
    public int Recoveries { get; private set; }

    /// <summary>Minibatches trained again after recoveries (the work lost).</summary>
    public int ReplayedBatches { get; private set; }

    /// <summary>What happened, one line per failure and restore, for the report.</summary>
    public IReadOnlyList<string> Events => _events;

    /// <summary>Trains <paramref name="batches"/> in order; <paramref name="afterBatch"/> sees each finished minibatch's index.</summary>
    public void Train(IReadOnlyList<long[]> batches, Action<int>? afterBatch = null)
    {
        IReadOnlyDictionary<string, byte[]>? saved = null;
        int savedAt = 0, recoveries = 0;
        for (int i = 0; i < batches.Count;)
        {
            if (i % Every == 0 && savedAt != i || saved is null)
            {
                var writer = new CheckpointWriter();
                _chain.Save(writer);
                saved = writer.Entries;
                savedAt = i;
            }
            try
            {
                _chain.TrainBatch(batches[i]);
            }
            catch (Exception e) when (recoveries < MaxRecoveries && e is not ArgumentException)
            {
                recoveries++;
                Recoveries++;
                ReplayedBatches += i - savedAt;
                _events.Add($"minibatch {i} failed ({e.GetType().Name}: {FirstLine(e.Message)}); restoring the checkpoint of minibatch {savedAt}");
                Restore(saved);
                _events.Add($"restored in {RestoreSeconds:0.0} s on {_chain.Host.Description}; replaying {i - savedAt} minibatch(es)");
                i = savedAt;
                continue;
            }
            afterBatch?.Invoke(i);
            i++;
        }
    }

    private double RestoreSeconds { get; set; }

    private void Restore(IReadOnlyDictionary<string, byte[]> saved)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                _chain.Prepare(new CheckpointReader(saved, "the chain's last in-memory checkpoint"))();
                RestoreSeconds = clock.Elapsed.TotalSeconds;
                return;
            }
            catch (Exception e) when (clock.Elapsed < PlaceTimeout && e is not CheckpointException)
            {
                Thread.Sleep(TimeSpan.FromSeconds(2));
            }
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
