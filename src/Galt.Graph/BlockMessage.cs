using Galt.Jacobians;
using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>
/// A message to one block's node: everything the node needs besides its own state (<see cref="BlockNode"/>). Tensors are
/// owned by the sender; a node never keeps a reference to them past the round.
/// </summary>
/// <param name="Round">What the node is asked to do.</param>
public sealed record BlockMessage(BlockRound Round)
{
    /// <summary>Rows of the training set the round is about (int64); null: every row.</summary>
    public Tensor? Indices { get; init; }

    /// <summary>The block's input on those rows: the training inputs for the first block, z_{v−1}[rows] otherwise.</summary>
    public Tensor? Input { get; init; }

    /// <summary>The targets on those rows (the last block only).</summary>
    public Tensor? Targets { get; init; }

    /// <summary>The external constraints' values and Jacobian rows restricted to this block's parameters (Step only).</summary>
    public IReadOnlyList<ConstraintEvaluation> External { get; init; } = Array.Empty<ConstraintEvaluation>();

    /// <summary>Split: the next block's pull ∂ℓ_{v+1}/∂z_v on the rows (a sum over rows, as the split step's loss).</summary>
    public Tensor? NextGradient { get; init; }

    /// <summary>Step: also return ∂ℓ_v/∂input after the step (Jacobi: the previous split variable's next-block pull).</summary>
    public bool WantInputGradient { get; init; }
}
