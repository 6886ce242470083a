using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>What a strategy's hooks see: the model, the stream, the current task, the seed, and the objective to train for.</summary>
/// <param name="Model">The network being trained (any module from inputs to class scores).</param>
/// <param name="Stream">The task stream.</param>
/// <param name="Task">The current task.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record TaskContext(nn.Module<Tensor, Tensor> Model, TaskStream Stream, ContinualTask Task, int Seed)
{
    /// <summary>The task loss every strategy minimises (<see cref="ContinualSettings.Objective"/>; cross-entropy by default).</summary>
    public TaskObjective Objective { get; init; } = TaskObjective.Classification;

    /// <summary>True for the stream's last task.</summary>
    public bool IsLastTask => Task.Index == Stream.Tasks.Count - 1;
}
