namespace Galt.Multipliers;

/// <summary>
/// What a multiplier rule sees of a proposed step before it is taken (spec §1.1): the step is affine in the forces, so
/// the predicted post-step values fall by lr·M·Δf when the forces grow by Δf (docs/feasibility.md §2).
/// </summary>
/// <param name="Values">C per constraint at the step's start, registration order.</param>
/// <param name="PostValues">The linearised post-step values C + lr·⟨J, δ⟩ of the proposal.</param>
/// <param name="Sensitivity">M = J A⁻¹ Jᵀ (k×k), A = D + Σ ρ J Jᵀ.</param>
/// <param name="Forces">The forces the proposal was solved with.</param>
/// <param name="LearningRate">lr.</param>
/// <param name="Stale">Per constraint: its Jacobian was not computed at this step (a cached row); rules hold such a λ.</param>
/// <param name="BaseStepNorm">δ_bᵀ D δ_b, computed on demand (it costs a pass over the parameters): a trust radius's unit.</param>
public sealed record StepPrediction(IReadOnlyList<double> Values, IReadOnlyList<double> PostValues, double[,] Sensitivity, IReadOnlyList<double> Forces,
    double LearningRate, IReadOnlyList<bool> Stale, Func<double> BaseStepNorm);

/// <summary>What a multiplier rule sees of a step once the optimizer has taken (or held) it.</summary>
/// <param name="Values">C per constraint at the step's start.</param>
/// <param name="PostValues">The linearised post-step values of the step taken: C + scale·lr·⟨J, δ⟩ at the final forces.</param>
/// <param name="MeasuredValues">C evaluated after the step by the step contract; NaN where it was not measured.</param>
/// <param name="Forces">The forces of the step taken.</param>
/// <param name="Sensitivity">M of the system solved.</param>
/// <param name="LearningRate">lr.</param>
/// <param name="Scale">The share of the proposed step taken (1: whole; 0: held, the parameters did not move).</param>
/// <param name="Stale">Per constraint: its Jacobian was a cached one.</param>
/// <param name="OuterStep">True when this step ends an outer window (spec §1.3 item 6; every step for the AL-Hessian optimizer).</param>
/// <param name="PenaltyCeiling">ρ_max of the penalty schedule (the v10 rule's dual gain uses it).</param>
public sealed record StepOutcome(IReadOnlyList<double> Values, IReadOnlyList<double> PostValues, IReadOnlyList<double> MeasuredValues, IReadOnlyList<double> Forces,
    double[,] Sensitivity, double LearningRate, double Scale, IReadOnlyList<bool> Stale, bool OuterStep, double PenaltyCeiling)
{
    /// <summary>
    /// Per constraint, what the step contract's first try missed its linearised prediction by (C_meas − C_post, at the
    /// rule's own forces, before any correction or halving); NaN where not measured. What a rule's target must leave room for.
    /// </summary>
    public IReadOnlyList<double> ProposalErrors { get; init; } = Array.Empty<double>();

    /// <summary>Per constraint, the violation the step contract tolerates (0 for all when there is no contract).</summary>
    public IReadOnlyList<double> Tolerances { get; init; } = Array.Empty<double>();

    /// <summary>δ_bᵀ D δ_b of this step, computed on demand (a pass over the parameters): a trust radius's unit; ∞ when unknown.</summary>
    public Func<double> BaseStepNorm { get; init; } = () => double.PositiveInfinity;

    /// <summary>Whether constraint <paramref name="index"/> was measured after the step.</summary>
    public bool Measured(int index) => !double.IsNaN(MeasuredValues[index]);
}
