using Galt.Checkpoints;

namespace Galt.Continual;

/// <summary>
/// Where a continual run stands and what it has measured: the task, epoch and next batch, the global step, the current
/// epoch's batch order, the accuracy rows and probe values of finished tasks, and the training seconds so far.
/// </summary>
internal sealed class TrainingCursor : ICheckpointable
{
    public TrainingCursor(int tasks, IEnumerable<string> probes)
    {
        Accuracy = Enumerable.Range(0, tasks).Select(_ => Enumerable.Repeat(double.NaN, tasks).ToArray()).ToArray();
        Probes = probes.ToDictionary(k => k, _ => Enumerable.Repeat(double.NaN, tasks).ToArray());
    }

    public int Task { get; set; }
    public int Epoch { get; set; }
    public int NextBatch { get; set; }
    public long Step { get; set; }
    public long[] Order { get; set; } = Array.Empty<long>();
    public double[][] Accuracy { get; private set; }
    public Dictionary<string, double[]> Probes { get; }
    public double Seconds { get; set; }

    /// <summary>Identity of the run (stream, settings, strategy), checked on restore.</summary>
    public string Identity { get; set; } = "";

    public void Save(CheckpointWriter writer)
    {
        writer.String("identity", Identity);
        writer.Longs("position", new[] { Task, Epoch, NextBatch, Step });
        writer.Longs("order", Order);
        writer.Doubles("accuracy", Accuracy.SelectMany(r => r).ToArray());
        writer.Strings("probes", Probes.Keys.ToArray());
        foreach (var (name, values) in Probes) writer.Doubles($"probe/{name}", values);
        writer.Double("seconds", Seconds);
    }

    public Action Prepare(CheckpointReader reader)
    {
        string identity = reader.String("identity");
        if (identity != Identity)
            throw reader.Error("identity", $"the checkpoint is of another run ({identity}); this run is {Identity}. Resume with the same experiment, options and seed.");
        var position = reader.Longs("position");
        if (position.Length != 4 || position.Any(p => p < 0) || position[0] >= Accuracy.Length) throw reader.Error("position", "not a valid (task, epoch, batch, step) position.");
        var order = reader.Longs("order");
        var accuracy = reader.Doubles("accuracy");
        int t = Accuracy.Length;
        if (accuracy.Length != t * t) throw reader.Error("accuracy", $"{accuracy.Length} values for {t} tasks.");
        var names = reader.Strings("probes");
        if (!names.OrderBy(n => n, StringComparer.Ordinal).SequenceEqual(Probes.Keys.OrderBy(n => n, StringComparer.Ordinal)))
            throw reader.Error("probes", $"probes [{string.Join(", ", names)}] where this run has [{string.Join(", ", Probes.Keys)}].");
        var probes = names.ToDictionary(n => n, n => reader.Doubles($"probe/{n}"));
        if (probes.Values.Any(v => v.Length != t)) throw reader.Error("probes", $"a probe without {t} values.");
        double seconds = reader.Double("seconds");
        return () =>
        {
            (Task, Epoch, NextBatch, Step) = ((int)position[0], (int)position[1], (int)position[2], position[3]);
            Order = order;
            Accuracy = Enumerable.Range(0, t).Select(i => accuracy.AsSpan(i * t, t).ToArray()).ToArray();
            foreach (var (name, values) in probes) Probes[name] = values;
            Seconds = seconds;
        };
    }
}
