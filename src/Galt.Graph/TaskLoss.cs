using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// The task loss of a <see cref="SplitChain"/>'s last block, from its output scores and the targets under a reduction:
/// the block step uses the mean, the split-variable step the sum.
/// </summary>
public delegate Tensor TaskLoss(Tensor scores, Tensor targets, nn.Reduction reduction);

/// <summary>Task losses for <see cref="SplitChain"/>.</summary>
internal static class TaskLosses
{
    /// <summary>Cross-entropy of class scores against class indices (the default).</summary>
    public static TaskLoss CrossEntropy { get; } = (scores, targets, reduction) => nn.functional.cross_entropy(scores, targets, reduction: reduction);

    /// <summary>Squared error against real-valued targets of the scores' shape.</summary>
    public static TaskLoss SquaredError { get; } = (scores, targets, reduction) => nn.functional.mse_loss(scores, targets, reduction);
}
