using Galt.Checkpoints;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// Examples of finished tasks and the seeded draw over them, shared by the memory strategies and the replay plugin:
/// <see cref="ReplayMemory.PerTask"/> examples kept at each task's end (but the last), a draw reseeded per task from the
/// run's seed and a salt, and both written into checkpoints as the parts <c>memory</c> and <c>draw</c>.
/// </summary>
internal sealed class SeededReplay(int salt) : IDisposable
{
    private ReplayableRandom _draw = new(0);

    /// <summary>The stored examples.</summary>
    public ReplayMemory Memory { get; } = new();

    /// <summary>The draw of the current task.</summary>
    public Random Draw => _draw;

    /// <summary>Reseeds the draw for the task starting.</summary>
    public void BeginTask(TaskContext context) => _draw = new ReplayableRandom(unchecked(context.Seed * salt + context.Task.Index));

    /// <summary>Keeps examples of the task ending, unless it is the stream's last.</summary>
    public void EndTask(TaskContext context)
    {
        if (!context.IsLastTask) Memory.Add(context.Task, context.Seed);
    }

    /// <summary>The minibatch with an equally large batch drawn uniformly from memory added (unchanged while memory is empty).</summary>
    public (Tensor X, Tensor Y) Mix(Tensor x, Tensor y) =>
        Memory.Sample((int)x.shape[0], Draw) is { } replay ? (cat(new[] { x, replay.X }), cat(new[] { y, replay.Y })) : (x, y);

    /// <summary>Writes the memory and the draw.</summary>
    public void Save(CheckpointWriter writer)
    {
        writer.Part("memory", Memory);
        writer.Part("draw", _draw);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; returns the action that applies it.</summary>
    public Action Prepare(CheckpointReader reader)
    {
        var memory = reader.Part("memory", Memory);
        var draw = reader.Part("draw", _draw);
        return () => { memory(); draw(); };
    }

    /// <inheritdoc />
    public void Dispose() => Memory.Dispose();
}
