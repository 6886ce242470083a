namespace Galt.Optim;

/// <summary>
/// Settings of <see cref="GaltOptimizer"/>; the defaults are the release's (spec §1.3), except the multiplier rule
/// (<see cref="ConstrainedOptimizerOptions.MultiplierRule"/>: set <c>new PiDualRule(Signal: DualSignal.PositivePart)</c>
/// for the release's), the step contract and the metric floor (<see cref="ConstrainedOptimizerOptions.MetricFloorRatio"/>).
/// </summary>
public sealed record GaltOptions : ConstrainedOptimizerOptions
{
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

    /// <summary>Throws, naming the option, when a setting is out of range.</summary>
    public void Validate()
    {
        ValidateShared(nameof(GaltOptions));
        if (OuterStepFrequency < 1) throw new ArgumentException($"GaltOptions.OuterStepFrequency (K_in) must be ≥ 1; got {OuterStepFrequency}.");
        if (!(RhoAnchor >= 0) || double.IsInfinity(RhoAnchor) || !(RhoAnchorDecay >= 0 && RhoAnchorDecay <= 1))
            throw new ArgumentException($"GaltOptions: ρ_a must be ≥ 0 and finite, its decay in [0, 1]; got {RhoAnchor}, {RhoAnchorDecay}.");
        if (!double.IsFinite(LambdaWarmstart) || !(LambdaCarryFactor >= 0)) throw new ArgumentException("GaltOptions: λ warm start must be finite and the carry factor ≥ 0.");
    }
}
