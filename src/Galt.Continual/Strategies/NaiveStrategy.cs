using System.Globalization;
using static TorchSharp.torch;

namespace Galt.Continual.Strategies;

/// <summary><c>naive</c>: Adam fine-tuning on each task's cross-entropy, nothing done against forgetting.</summary>
public sealed class NaiveStrategy : AdamStrategy
{
    /// <inheritdoc />
    public override string Name => "naive";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["optimizer"] = OptimizerName, ["lr"] = LearningRate.ToString(CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    protected override Tensor Loss(Tensor x, Tensor y, TaskContext context) => context.Objective.Loss(Model.forward(x), y);
}
