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

    private readonly SeededReplay _replay = new(DrawSalt);

    /// <summary>The stored examples.</summary>
    public ReplayMemory Memory => _replay.Memory;

    /// <inheritdoc />
    public string Name => "replay";

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["memory"] = $"{Memory.PerTask.ToString(CultureInfo.InvariantCulture)} per finished task",
        ["replay_batch"] = "same size as the minibatch, uniform from memory",
    };

    /// <inheritdoc />
    public void BeforeTask(TaskContext context) => _replay.BeginTask(context);

    /// <inheritdoc />
    public (Tensor X, Tensor Y) Batch(Tensor x, Tensor y, TaskContext context) => _replay.Mix(x, y);

    /// <inheritdoc />
    public void AfterTask(TaskContext context) => _replay.EndTask(context);

    /// <inheritdoc />
    public void Save(CheckpointWriter writer) => _replay.Save(writer);

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader) => _replay.Prepare(reader);

    /// <inheritdoc />
    public void Dispose() => _replay.Dispose();
}
