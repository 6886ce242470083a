namespace Galt.Graph;

/// <summary>
/// What a <see cref="BlockMessage"/> asks a block's node to do. A minibatch of a <see cref="SplitChain"/> is a sequence of
/// rounds; in every round each addressed node works only on its own state and the message it received.
/// </summary>
public enum BlockRound
{
    /// <summary>Return the split variable's rows z_v[rows] (the next block's input).</summary>
    Read,

    /// <summary>
    /// Take the block's local step on its augmented Lagrangian (the task loss for the last block) at the given input, with
    /// the external constraints' values and restricted Jacobian rows; keep f_v(input) for the split step; return
    /// ∂ℓ_v/∂input when asked.
    /// </summary>
    Step,

    /// <summary>Return ∂ℓ_v/∂input at the given input without stepping (Gauss–Seidel: the next block's pull on z_v).</summary>
    Probe,

    /// <summary>Move z_v[rows] one gradient step along its edge's gradient plus the next block's pull; return the new rows.</summary>
    Split,

    /// <summary>The dual step Λ_v ← Λ_v + ρ_v (z_v − f_v(input)) on the rows, then the penalty rule; returns ρ_v.</summary>
    Dual,

    /// <summary>Return mean |z_v − f_v(input)| over the rows (every row when none are named).</summary>
    Residual,
}
