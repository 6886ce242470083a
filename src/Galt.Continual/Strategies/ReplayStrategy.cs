using System.Globalization;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>replay</c>: experience replay with GALT's memory budget (200 examples per finished task): each minibatch is trained
/// together with an equally large batch drawn uniformly from memory.
/// </summary>
public sealed class ReplayStrategy : MemoryStrategy
{

    /// <inheritdoc />
    public override string Name => "replay";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = OptimizerName, ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture),
        ["memory"] = $"{Memory.PerTask} per finished task", ["replay_batch"] = "same size as the minibatch, uniform from memory",
    };

    /// <inheritdoc />
    protected override int DrawSalt => 31;

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context)
    {
        (x, y) = Replay.Mix(x, y);
        return context.Objective.Loss(Model.forward(x), y);
    }
}
