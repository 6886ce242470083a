using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>The direction δ_p per parameter tensor and how it was obtained. Owns the direction tensors.</summary>
internal sealed class LowRankSolution : IDisposable
{
    /// <summary>Creates the solution.</summary>
    public LowRankSolution(Tensor[] direction, SolvePath path, double conditionNumber, double[] jacobianDotDirection, double[,]? sensitivity = null)
    {
        Direction = direction; Path = path; ConditionNumber = conditionNumber; JacobianDotDirection = jacobianDotDirection;
        Sensitivity = sensitivity ?? new double[jacobianDotDirection.Length, jacobianDotDirection.Length];
    }

    /// <summary>
    /// M = J A⁻¹ Jᵀ (k×k over all constraints, zero rows for those without a Jacobian), A = D + Σ ρ_i J_i J_iᵀ: raising
    /// the forces by Δf lowers ⟨J, δ⟩ by M·Δf (the solve is affine in f). Exact for the global Sherman–Morrison /
    /// Woodbury paths and for per-tensor scope; for the sequential fallback, that of the system it approximates.
    /// </summary>
    public double[,] Sensitivity { get; }

    /// <summary>
    /// ⟨J_i, δ⟩ summed over tensors, per constraint (0 where a constraint has no Jacobian): what the step changes each
    /// constraint by to first order, per unit learning rate (spec §1.1 "predicted post-step residual").
    /// </summary>
    public double[] JacobianDotDirection { get; }

    /// <summary>δ_p, shaped like the parameters.</summary>
    public Tensor[] Direction { get; }

    /// <summary>The algorithm used (for per-tensor scope: the most general one any tensor needed).</summary>
    public SolvePath Path { get; }

    /// <summary>cond₂ of the Woodbury matrix S (largest over tensors in per-tensor scope); NaN when no Woodbury system was formed.</summary>
    public double ConditionNumber { get; }

    /// <summary>True when Woodbury was attempted and rejected for conditioning.</summary>
    public bool FellBack => Path == SolvePath.SequentialShermanMorrison && !double.IsNaN(ConditionNumber);

    private bool _ownsDirection = true;

    /// <summary>The direction lives in a workspace: disposing this solution must not free it.</summary>
    internal void ReleaseOwnership() => _ownsDirection = false;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDirection) foreach (var t in Direction) t.Dispose();
    }
}
