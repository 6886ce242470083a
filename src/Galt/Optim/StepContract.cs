using Galt.Constraints;

namespace Galt.Optim;

/// <summary>
/// The per-step contract a constrained optimizer keeps for the constraints it can evaluate (docs/feasibility.md §1),
/// and how:
/// <list type="bullet">
/// <item>a step that starts with a constraint feasible (violation ≤ its tolerance) ends with it feasible;</item>
/// <item>a step that starts with a constraint violated does not raise its violation;</item>
/// <item>every value stays finite.</item>
/// </list>
/// After the proposed step is written, every constraint is evaluated once (the one extra evaluation of the common case).
/// When a measured value breaks the contract, the step is corrected towards the multiplier rule's targets with the
/// measured error (a second-order correction: the same k×k force correction as the linearised rule, now from measured
/// values, up to <see cref="MaxCorrections"/> times) and then shortened by halving (up to <see cref="MaxHalvings"/>
/// times); each try costs one more evaluation. When no try keeps the contract the step is held: the parameters stay
/// where they were. The share of the step tried first is remembered from step to step — the measured stability radius
/// of the linearisation: after a step that had to be halved it is the share that was accepted, and it grows again
/// (by <see cref="Growth"/>) once steps land well inside the room the prediction left. Only steps whose Jacobians were
/// all computed at that step set it (a step on cached rows fails for the staleness, not for its length).
/// </summary>
/// <remarks>
/// Constraints registered by name (the caller supplies values and Jacobians) cannot be evaluated unless a measure was
/// given with them; their steps are then taken on the linearised prediction alone, reported by
/// <see cref="StepResult.Verified"/> and logged once.
/// </remarks>
public sealed record StepContract
{
    /// <summary>
    /// An inequality counts as feasible while C ≤ this (absolute). Default 0, as a certificate's: the multiplier rules
    /// aim at least 1e-6 inside, so exact feasibility costs no more corrections than a small tolerance would.
    /// </summary>
    public double Tolerance { get; init; }

    /// <summary>An equality counts as feasible while |C| ≤ this (absolute). Default 1e-3.</summary>
    public double EqualityTolerance { get; init; } = 1e-3;

    /// <summary>Most corrections of one step from measured values before it is shortened. Default 1.</summary>
    public int MaxCorrections { get; init; } = 1;

    /// <summary>
    /// r: a correction from measured values may move the step by at most r times the task's own base step, in the
    /// system's metric (ΔfᵀMΔf ≤ r²·δ_bᵀDδ_b, as <see cref="Galt.Multipliers.LinearizedDualRule.TrustRadius"/>); beyond it
    /// the force is scaled down and the halvings do the rest. Default 2.
    /// </summary>
    public double CorrectionRadius { get; init; } = 2.0;

    /// <summary>Most halvings of one step before it is held. Default 12 (down to 1/4096 of the step).</summary>
    public int MaxHalvings { get; init; } = 12;

    /// <summary>
    /// Factor by which the remembered share grows after a step that kept the contract without halving, with every
    /// measured error at most a quarter of the room its prediction left (error ∝ share², so the grown step is expected
    /// to fit). Default 2.
    /// </summary>
    public double Growth { get; init; } = 2.0;

    /// <summary>
    /// Steps over which a runaway multiplier is judged: λ grown by <see cref="RunawayFactor"/> (2) or more while the
    /// violation did not even halve is reported by name (a warning, <see cref="ConstraintStatus.RunawayReports"/>, and a
    /// certificate that says diverged); from then until the constraint is feasible again λ does not grow further. Default 20.
    /// </summary>
    public int RunawayWindow { get; init; } = 20;

    /// <summary>Growth of λ over <see cref="RunawayWindow"/> steps that counts as a runaway while the violation stays. Default 2 (λ at least doubled).</summary>
    public double RunawayFactor { get; init; } = 2.0;

    /// <summary>The tolerance of a constraint of <paramref name="kind"/>.</summary>
    public double ToleranceOf(ConstraintKind kind) => kind == ConstraintKind.Equality ? EqualityTolerance : Tolerance;

    /// <summary>Throws, naming the setting, when one is out of range.</summary>
    public void Validate(string owner)
    {
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance) || !(EqualityTolerance >= 0) || double.IsInfinity(EqualityTolerance))
            throw new ArgumentException($"{owner}.Contract: tolerances must be ≥ 0 and finite; got {Tolerance} and {EqualityTolerance}.");
        if (!(CorrectionRadius > 0)) throw new ArgumentException($"{owner}.Contract: CorrectionRadius must be > 0; got {CorrectionRadius}.");
        if (MaxCorrections < 0 || MaxHalvings < 0 || MaxHalvings > 60)
            throw new ArgumentException($"{owner}.Contract: MaxCorrections must be ≥ 0 and MaxHalvings in [0, 60]; got {MaxCorrections} and {MaxHalvings}.");
        if (!(Growth >= 1) || double.IsInfinity(Growth))
            throw new ArgumentException($"{owner}.Contract: Growth must be ≥ 1 and finite; got {Growth}.");
        if (RunawayWindow < 1 || !(RunawayFactor > 1))
            throw new ArgumentException($"{owner}.Contract: RunawayWindow must be ≥ 1 and RunawayFactor > 1; got {RunawayWindow} and {RunawayFactor}.");
    }
}
