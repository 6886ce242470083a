using Galt.Training;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// What the continual harness trains for and how it scores a task: every strategy minimises <see cref="Loss"/> on its
/// minibatches, and the trainer fills the score matrix R[i][j] with <see cref="Score"/> (higher is better, so average
/// score, forgetting and backward transfer keep their meaning). <see cref="Classification"/> (cross-entropy, accuracy)
/// is the default; <see cref="Regression"/> (mean squared error, scored as its negative) is the other built-in; any
/// pair of functions is a valid objective.
/// </summary>
/// <param name="Name">Shown in reports and checkpoint identities, e.g. "classification".</param>
/// <param name="Loss">(model outputs, targets) → a scalar loss tensor with gradient.</param>
/// <param name="Score">(model, inputs, targets) → the model's score on a test set, higher is better; run without gradient in eval mode.</param>
public sealed record TaskObjective(string Name, Func<Tensor, Tensor, Tensor> Loss, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, double> Score)
{
    /// <summary>Class scores against integer labels: cross-entropy, scored by accuracy (argmax).</summary>
    public static TaskObjective Classification { get; } =
        new("classification", (scores, labels) => nn.functional.cross_entropy(scores, labels), (model, x, y) => SupervisedTrainer.Accuracy(model, x, y));

    /// <summary>Real-valued outputs against targets of the same shape: mean squared error, scored as −MSE.</summary>
    public static TaskObjective Regression { get; } = new("regression", (outputs, targets) => nn.functional.mse_loss(outputs, targets), NegativeMeanSquaredError);

    private static double NegativeMeanSquaredError(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        bool training = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return -nn.functional.mse_loss(model.call(x), y).to(ScalarType.Float64).item<double>();
        }
        finally { model.train(training); }
    }
}
