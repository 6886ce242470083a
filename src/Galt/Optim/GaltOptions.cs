using Galt.Multipliers;
using Galt.Solve;

namespace Galt.Optim;

/// <summary>
/// Settings of <see cref="GaltOptimizer"/>; the defaults are the release's (spec §1.3), except that the dual signal is
/// signed with λ projected (set <c>Dual = new PiDualRule(Signal: DualSignal.PositivePart)</c> for the release's rule).
/// </summary>
public sealed record GaltOptions
{
    /// <summary>Step size lr.</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>Adam β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>The P-gain ρ_P: initial 1, floor 1, ceiling 50, growth 1.5, no decay, τ 0.9.</summary>
    public PenaltySchedule Penalty { get; init; } = new();

    /// <summary>The PI multiplier rule: ρ_I 0.5, smoothing 0.9, post-step residual.</summary>
    public PiDualRule Dual { get; init; } = new();

    /// <summary>K_in: inner steps per outer (dual) step.</summary>
    public int OuterStepFrequency { get; init; } = 5;

    /// <summary>ρ_a: proximal pull toward the anchor snapshot; 0 turns it off.</summary>
    public double RhoAnchor { get; init; } = 0.1;

    /// <summary>Per-outer-step decay of ρ_a; 1 = off.</summary>
    public double RhoAnchorDecay { get; init; } = 1.0;

    /// <summary>λ of a new constraint.</summary>
    public double LambdaWarmstart { get; init; }

    /// <summary>λ multiplier at a task boundary.</summary>
    public double LambdaCarryFactor { get; init; } = 1.0;

    /// <summary>Scope and Woodbury settings of the local solve.</summary>
    public LowRankSolveOptions Solve { get; init; } = LowRankSolveOptions.Default;

    /// <summary>
    /// Floor of the metric D inside the constrained system, as a fraction of each parameter tensor's mean D (0 = none,
    /// the release's behaviour). Coordinates whose task gradient has always been zero have D = ε; a constraint that
    /// touches them would otherwise move them by J/ε. Does not change unconstrained steps.
    /// </summary>
    public double MetricFloorRatio { get; init; } = 0.1;

    /// <summary>Violations kept per constraint for reports.</summary>
    public int HistoryLength { get; init; } = 256;

    /// <summary>Throws, naming the option, when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"GaltOptions.LearningRate must be positive and finite; got {LearningRate}.");
        if (!(WeightDecay >= 0) || LearningRate * WeightDecay >= 1) throw new ArgumentException($"GaltOptions.WeightDecay must be ≥ 0 with lr·wd < 1; got {WeightDecay}.");
        if (OuterStepFrequency < 1) throw new ArgumentException($"GaltOptions.OuterStepFrequency (K_in) must be ≥ 1; got {OuterStepFrequency}.");
        if (!(RhoAnchor >= 0) || double.IsInfinity(RhoAnchor) || !(RhoAnchorDecay >= 0 && RhoAnchorDecay <= 1))
            throw new ArgumentException($"GaltOptions: ρ_a must be ≥ 0 and finite, its decay in [0, 1]; got {RhoAnchor}, {RhoAnchorDecay}.");
        if (!double.IsFinite(LambdaWarmstart) || !(LambdaCarryFactor >= 0)) throw new ArgumentException($"GaltOptions: λ warm start must be finite and the carry factor ≥ 0.");
        if (!(MetricFloorRatio >= 0) || double.IsInfinity(MetricFloorRatio)) throw new ArgumentException($"MetricFloorRatio must be ≥ 0 and finite; got {MetricFloorRatio}.");
        if (HistoryLength < 1) throw new ArgumentException($"GaltOptions.HistoryLength must be ≥ 1; got {HistoryLength}.");
        Penalty.Validate("GaltOptions.Penalty");
        Dual.Validate("GaltOptions.Dual");
    }
}
