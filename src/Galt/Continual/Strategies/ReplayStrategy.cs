using System.Globalization;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary>
/// <c>replay</c>: experience replay with GALT's memory budget (200 examples per finished task): each minibatch is trained
/// together with an equally large batch drawn uniformly from memory.
/// </summary>
public sealed class ReplayStrategy : AdamStrategy
{
    private readonly ReplayMemory _memory = new();
    private Random _draw = new(0);

    /// <inheritdoc />
    public override string Name => "replay";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = "Adam", ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture),
        ["memory"] = $"{_memory.PerTask} per finished task", ["replay_batch"] = "same size as the minibatch, uniform from memory",
    };

    /// <inheritdoc />
    public override void BeforeTask(TaskContext context) => _draw = new Random(unchecked(context.Seed * 31 + context.Task.Index));

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context)
    {
        if (_memory.Sample((int)x.shape[0], _draw) is { } replay)
        {
            x = cat(new[] { x, replay.X });
            y = cat(new[] { y, replay.Y });
        }
        return nn.functional.cross_entropy(Model.forward(x), y);
    }

    /// <inheritdoc />
    public override void AfterTask(TaskContext context)
    {
        if (!context.IsLastTask) _memory.Add(context.Task, context.Seed);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _memory.Dispose();
        base.Dispose(disposing);
    }
}
