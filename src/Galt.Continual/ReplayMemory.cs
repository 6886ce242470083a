using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// Examples kept from finished tasks: <see cref="PerTask"/> drawn without replacement from each task's training set
/// with the seed task_index + 123 (spec §2.1). GALT's anchor sets, replay and A-GEM all use this same budget.
/// </summary>
public sealed class ReplayMemory : IDisposable, Galt.Checkpoints.ICheckpointable
{
    private readonly List<(int Task, Tensor X, Tensor Y)> _entries = new();

    /// <summary>Creates an empty memory.</summary>
    public ReplayMemory(int perTask = 200) => PerTask = perTask;

    /// <summary>Examples kept per finished task.</summary>
    public int PerTask { get; }

    /// <summary>Number of tasks stored.</summary>
    public int TaskCount => _entries.Count;

    /// <summary>The stored (task, images, labels), oldest first.</summary>
    public IReadOnlyList<(int Task, Tensor X, Tensor Y)> Entries => _entries;

    /// <summary>Draws and stores <see cref="PerTask"/> examples of <paramref name="task"/>; returns them.</summary>
    public (Tensor X, Tensor Y) Add(ContinualTask task, int seed = 0)
    {
        var (x, y) = Draw(task, seed, skip: 0);
        _entries.Add((task.Index, x, y));
        return (x, y);
    }

    /// <summary>
    /// Up to <see cref="PerTask"/> other training examples of <paramref name="task"/>, disjoint from those
    /// <see cref="Add"/> keeps (the next ones of the same seeded shuffle); not stored: the caller owns them. For
    /// checking on unseen examples whether what is held on the stored ones generalises. Null when the task has no
    /// examples left over.
    /// </summary>
    public (Tensor X, Tensor Y)? HeldOut(ContinualTask task, int seed = 0) =>
        task.TrainCount > PerTask ? Draw(task, seed, skip: PerTask) : null;

    private (Tensor X, Tensor Y) Draw(ContinualTask task, int seed, int skip)
    {
        int n = (int)Math.Min(PerTask, task.TrainCount - skip);
        var order = Enumerable.Range(0, (int)task.TrainCount).ToArray();
        new Random(task.Index + 123 + seed * 1_000_003).Shuffle(order);
        using var scope = NewDisposeScope();
        var idx = tensor(order.Skip(skip).Take(n).Select(i => (long)i).ToArray());
        var x = task.TrainX.index_select(0, idx).MoveToOuterDisposeScope().DetachFromDisposeScope();
        var y = task.TrainY.index_select(0, idx).MoveToOuterDisposeScope().DetachFromDisposeScope();
        return (x, y);
    }

    /// <summary>All stored examples in one batch (empty memory: null).</summary>
    public (Tensor X, Tensor Y)? All()
    {
        if (_entries.Count == 0) return null;
        return (cat(_entries.Select(e => e.X).ToArray()), cat(_entries.Select(e => e.Y).ToArray()));
    }

    /// <summary>A random batch of up to <paramref name="size"/> stored examples (null when empty).</summary>
    public (Tensor X, Tensor Y)? Sample(int size, Random rng)
    {
        if (All() is not { } all) return null;
        long n = all.X.shape[0];
        var pick = Enumerable.Range(0, (int)Math.Min(size, n)).Select(_ => (long)rng.Next((int)n)).ToArray();
        var idx = tensor(pick);
        return (all.X.index_select(0, idx), all.Y.index_select(0, idx));
    }

    /// <summary>Writes the stored examples (task index, inputs, labels per task).</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Longs("tasks", _entries.Select(e => (long)e.Task).ToArray());
        for (int i = 0; i < _entries.Count; i++)
        {
            writer.Tensor($"x/{i}", _entries[i].X);
            writer.Tensor($"y/{i}", _entries[i].Y);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote; the returned action replaces the stored examples with it.</summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var tasks = reader.Longs("tasks");
        var entries = tasks.Select((t, i) =>
        {
            var x = reader.Tensor($"x/{i}");
            var y = reader.Tensor($"y/{i}");
            if (x.shape.Length == 0 || y.shape.Length != 1 || x.shape[0] != y.shape[0] || x.shape[0] > PerTask)
                throw reader.Error($"x/{i}", $"inputs [{string.Join(", ", x.shape)}] and labels [{string.Join(", ", y.shape)}] are not a memory entry of at most {PerTask} examples.");
            return ((int)t, x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
        }).ToArray();
        return () =>
        {
            Dispose();
            _entries.AddRange(entries);
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, x, y) in _entries) { x.Dispose(); y.Dispose(); }
        _entries.Clear();
    }
}
