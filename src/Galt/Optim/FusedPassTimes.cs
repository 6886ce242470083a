namespace Galt.Optim;

/// <summary>
/// Wall-clock time of a fused step's three memory sweeps (<see cref="StepKernel.Fused"/>), for finding where a step's
/// time goes: everything else in the step (checks, the k×k solve, the multiplier rule) is the step's time minus these.
/// </summary>
/// <param name="MomentsSeconds">Pass 1: the Adam moments, the finiteness check and the metric floor's Σ D.</param>
/// <param name="GramSeconds">Pass 2: the Gram J D⁻¹ Jᵀ and τ = J δ_b over the tensors constraint rows touch (0 with no constraints).</param>
/// <param name="WriteSeconds">Pass 3, at the commit: the correction, weight decay and the parameter write.</param>
public readonly record struct FusedPassTimes(double MomentsSeconds, double GramSeconds, double WriteSeconds)
{
    /// <summary>The three sweeps together.</summary>
    public double TotalSeconds => MomentsSeconds + GramSeconds + WriteSeconds;
}
