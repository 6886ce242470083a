using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The default multiplier rule: the linearised rule's force correction (<see cref="LinearizedDualRule"/>), fed by what
/// the step contract measured instead of what the next step happens to see (docs/feasibility.md §3.3). After each
/// step taken, with the value C_meas the contract measured there and the prediction C_post of the step taken:
/// <list type="bullet">
/// <item>the linearisation error of this very step's proposal, e = C_meas − C_post of the contract's first try, enters ê
/// (so the next target sits below the boundary by what the last proposal actually missed, not by what the next step
/// happens to see after corrections);</item>
/// <item>integral action on the measured violation: a constraint that ended the step violated (beyond the contract's
/// tolerance) gets
/// λ ← λ + <see cref="IntegralGain"/>·v/(lr·M_ii), the force that would close v in one whole step, bounded by
/// <see cref="IntegralRadius"/>, so λ never reads 0 while a constraint is violated (the linearised rule releases λ when
/// the *prediction* is inside).</item>
/// </list>
/// On steps the contract did not measure (constraints registered by name), it behaves as the linearised rule.
/// </summary>
public sealed record MeasuredDualRule : LinearizedDualRule
{
    /// <summary>
    /// τ_I: the integral increase may move the step by at most τ_I times the base step, in the system's metric
    /// (Δλ²·M_ii ≤ τ_I²·δ_bᵀDδ_b), like <see cref="LinearizedDualRule.TrustRadius"/> for the correction. A constraint whose
    /// Jacobian all but vanishes while it is violated would otherwise ask for a force of any size. Default 1.
    /// </summary>
    public double IntegralRadius { get; init; } = 1.0;

    /// <summary>The integral gain on a measured violation, in (0, 1]: the share of v/(lr·M_ii) added to λ.</summary>
    public double IntegralGain { get; init; } = 1.0;

    /// <summary>
    /// A violated constraint that a force at the trust bound would lower by less than this share of its violation in a
    /// step counts as stationary (inactionable): its λ is not raised.
    /// </summary>
    public const double StationaryRatio = 1e-3;

    /// <inheritdoc />
    public override string Name => "measured";

    /// <inheritdoc />
    public override string Description => $"measured (linearised correction, κ {F(Fraction)}, target −{F(ErrorSafety)}·ê from measured errors, integral gain {F(IntegralGain)} within {F(IntegralRadius)} base step"
        + (double.IsPositiveInfinity(TrustRadius) ? ")" : $", trust radius {F(TrustRadius)})");

    /// <inheritdoc />
    public override void Validate(string owner)
    {
        base.Validate(owner);
        if (!(IntegralGain > 0 && IntegralGain <= 1)) throw new ArgumentException($"{owner}: the measured rule's integral gain must be in (0, 1]; got {IntegralGain}.");
        if (!(IntegralRadius > 0)) throw new ArgumentException($"{owner}: the measured rule's integral radius must be > 0; got {IntegralRadius}.");
    }

    /// <summary>After a measured step ê was already updated from that step's own error; otherwise as the linearised rule.</summary>
    public override void ObserveValue(MultiplierState state, double value)
    {
        if (double.IsNaN(state.LastMeasuredValue)) base.ObserveValue(state, value);
    }

    /// <summary>ê from this step's measured error; λ raised by the measured violation (integral action).</summary>
    public override void Update(MultiplierState[] states, StepOutcome outcome)
    {
        for (int i = 0; i < states.Length; i++)
        {
            if (!outcome.Measured(i)) continue;
            double measured = outcome.MeasuredValues[i];
            if (!outcome.Stale[i] && i < outcome.ProposalErrors.Count && double.IsFinite(outcome.ProposalErrors[i])) FoldError(states[i], outcome.ProposalErrors[i]);
            double violation = states[i].Kind.Violation(measured);
            double tolerance = i < outcome.Tolerances.Count ? outcome.Tolerances[i] : 0;
            if (violation <= tolerance) continue;
            double m = outcome.Sensitivity[i, i];
            if (!ForceCorrection.Actionable(outcome.Sensitivity, i) || !(m > 0))
            {
                states[i].RuleState<LinearizedRuleState>().InactionableSteps++;
                continue;
            }
            // The force that closes v in one whole step, lr·M_ii·Δλ = v, bounded like a correction: Δλ²·M_ii ≤ τ²·δ_bᵀDδ_b.
            double increase = IntegralGain * violation / (outcome.LearningRate * m);
            if (!double.IsPositiveInfinity(IntegralRadius))
            {
                double bound = IntegralRadius * Math.Sqrt(outcome.BaseStepNorm() / m);
                if (increase > bound)
                {
                    // Even a force at the bound would lower C by lr·M_ii·bound: when that is not a thousandth of v, the
                    // constraint sits where its Jacobian vanishes while violated (a stationary point, e.g. its floor) and
                    // no multiplier moves it; λ is left as it is (the optimizer's guard reports the stall).
                    if (outcome.LearningRate * m * bound < StationaryRatio * violation)
                    {
                        states[i].RuleState<LinearizedRuleState>().InactionableSteps++;
                        continue;
                    }
                    increase = bound;
                    states[i].RuleState<LinearizedRuleState>().TrustLimitedSteps++;
                }
            }
            double sign = states[i].Kind == ConstraintKind.Equality ? Math.Sign(measured) : 1;
            states[i].Lambda = states[i].Kind.ProjectMultiplier(states[i].Lambda + sign * increase, LambdaMax);
        }
    }
}
