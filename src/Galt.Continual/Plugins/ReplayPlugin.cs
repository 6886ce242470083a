using System.Globalization;
using Galt.Checkpoints;
using static TorchSharp.torch;

namespace Galt.Continual.Plugins;

/// <summary>
/// Experience replay as a plugin: keeps <see cref="ReplayMemory.PerTask"/> examples of each finished task (GALT's
/// budget, 200) and adds to every minibatch an equally large batch drawn uniformly from them, with the same per-task
/// seeded draw as the <c>replay</c> strategy, so plain Adam with this plugin is that strategy step for step.
/// </summary>
public sealed class ReplayPlugin : IStrategyPlugin
{
    /// <summary>The draw seed's salt: the <c>replay</c> strategy's.</summary>
    private const int DrawSalt = 31;

    private ReplayableRandom _draw = new(0);

    /// <summary>The stored examples.</summary>
    public ReplayMemory Memory { get; } = new();

    /// <inheritdoc />
    public string Name => "replay";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["memory"] = $"{Memory.PerTask.ToString(CultureInfo.InvariantCulture)} per finished task",
        ["replay_batch"] = "same size as the minibatch, uniform from memory",
    };

    /// <inheritdoc />
    public void BeforeTask(TaskContext context) => _draw = new ReplayableRandom(unchecked(context.Seed * DrawSalt + context.Task.Index));

    /// <inheritdoc />
    public (Tensor X, Tensor Y) Batch(Tensor x, Tensor y, TaskContext context) =>
        Memory.Sample((int)x.shape[0], _draw) is { } replay ? (cat(new[] { x, replay.X }), cat(new[] { y, replay.Y })) : (x, y);

    /// <inheritdoc />
    public void AfterTask(TaskContext context)
    {
        if (!context.IsLastTask) Memory.Add(context.Task, context.Seed);
    }

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        writer.Part("memory", Memory);
        writer.Part("draw", _draw);
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        var memory = reader.Part("memory", Memory);
        var draw = reader.Part("draw", _draw);
        return () => { memory(); draw(); };
    }

    /// <inheritdoc />
    public void Dispose() => Memory.Dispose();
}
