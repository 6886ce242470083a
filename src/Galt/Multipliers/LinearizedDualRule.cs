using Galt.Checkpoints;
using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// Multipliers from the linearised constraint (docs/feasibility.md §3.2): a step's direction δ is affine in the constraint
/// forces f (spec §1.1), so its predicted post-step values C_post = C + lr·⟨J, δ(f)⟩ fall by lr·M·Δf when the forces
/// grow by Δf, with M = J A⁻¹ Jᵀ the solve's sensitivity (A = D + Σ ρ J Jᵀ). After a proposal with the P-term forces
/// f = λ + ρ·max(0, C), this rule picks Δf (<see cref="ForceCorrection"/>), on the active set, so that the linearised
/// step lands a fraction <see cref="Fraction"/> of the way to its target c*: lr·(M Δf)_i = κ·(C_post,i − c*_i), with
/// λ_i + Δf_i ≥ 0 for inequalities (complementarity: a constraint whose target is met with λ = 0 stays inactive), and
/// keeps as λ the part of the force that holds C where it is. The target c* = −γ·ê sits below the boundary by γ times
/// the measured linearisation error ê (an EMA of the positive part of C_t − C_post,t−1: what curvature and weight
/// decay add to the first-order prediction), so the step after it lands feasible.
/// </summary>
/// <remarks>
/// It trusts the prediction: λ is released as soon as the predicted value is inside. At large steps the prediction is
/// wrong (curvature, ReLU charts flipping) and the constraint can stay violated with λ = 0; <see cref="MeasuredDualRule"/>
/// (the default) corrects it from measured values, and the optimizer's step contract checks every step.
/// </remarks>
public record LinearizedDualRule : IMultiplierRule
{
    /// <summary>κ in (0, 1]: the share of the gap to the target closed by one step (1: the linearised step lands on it).</summary>
    public double Fraction { get; init; } = 1.0;

    /// <summary>γ ≥ 0: how many measured linearisation errors the target keeps below the boundary.</summary>
    public double ErrorSafety { get; init; } = 2.0;

    /// <summary>EMA factor of the linearisation error ê, in [0, 1).</summary>
    public double ErrorSmoothing { get; init; } = 0.9;

    /// <summary>Bound on |λ|.</summary>
    public double LambdaMax { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// The least depth of an inequality's target, c* ≤ −this: with an exact (linear) prediction ê is 0, and a target of
    /// exactly 0 would land on the boundary up to rounding (a violation of 1e-15). Default 1e-6, below what float32
    /// evaluation of a constraint resolves.
    /// </summary>
    public double MinimumSlack { get; init; } = 1e-6;

    /// <summary>
    /// The deepest target, as a fraction of how far below its boundary the constraint can go
    /// (<see cref="MultiplierState.ReachableDepth"/>: margin − floor of its measure, e.g. the margin for a KL, margin −
    /// T·ln N for a forbidden-mass smooth maximum): c* ≥ −this·depth. A target beyond reach would demand an unbounded
    /// force (on the safety-from-birth stream a smooth maximum pinned at its floor with λ ≈ 10 froze the task at chance);
    /// when the measured error ê grows with the step, an uncapped target runs away.
    /// </summary>
    public double MaxDepthFraction { get; init; } = 0.5;

    /// <summary>
    /// τ: the force increase may move the step by at most τ times the base step, measured in the system's own metric:
    /// Δfᵀ M Δf ≤ τ²·δ_bᵀ D δ_b (the left side is ‖A⁻¹JᵀΔf‖²_A, what Δf changes δ by). When the linearised target asks for
    /// more, Δf (and the λ kept) is scaled down to the boundary and <see cref="LinearizedRuleState.TrustLimitedSteps"/>
    /// counts it. A far-violated constraint whose Jacobian barely moves the step otherwise asks for an unbounded force in
    /// one step. Default ∞ (off).
    /// </summary>
    public double TrustRadius { get; init; } = double.PositiveInfinity;

    /// <inheritdoc />
    public virtual string Name => "linearized";

    /// <inheritdoc />
    public virtual string Description => $"linearized (κ {F(Fraction)}, target −{F(ErrorSafety)}·ê" + (double.IsPositiveInfinity(TrustRadius) ? ")" : $", trust radius {F(TrustRadius)})");

    /// <summary>Invariant formatting for descriptions.</summary>
    protected static string F(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public virtual void Validate(string owner)
    {
        if (!(Fraction > 0 && Fraction <= 1) || !(ErrorSafety >= 0) || double.IsInfinity(ErrorSafety)
            || !(ErrorSmoothing >= 0 && ErrorSmoothing < 1) || !(LambdaMax >= 0) || !(MinimumSlack >= 0) || double.IsInfinity(MinimumSlack)
            || !(MaxDepthFraction > 0 && MaxDepthFraction <= 1) || !(TrustRadius > 0))
            throw new ArgumentException($"{owner}: the linearised dual rule needs κ in (0, 1], γ ≥ 0 finite, smoothing in [0, 1), λ_max ≥ 0; "
                + $"minimum slack ≥ 0 finite, max depth fraction in (0, 1], trust radius > 0; got κ {Fraction}, γ {ErrorSafety}, smoothing {ErrorSmoothing}, λ_max {LambdaMax}, "
                + $"minimum slack {MinimumSlack}, max depth fraction {MaxDepthFraction}, trust radius {TrustRadius}.");
    }

    /// <inheritdoc />
    public IMultiplierRuleState NewState() => new LinearizedRuleState();

    /// <inheritdoc />
    public IMultiplierRuleState ReadState(CheckpointReader reader) => LinearizedRuleState.Read(reader);

    /// <summary>The P-term force f = λ + ρ·max(0, C) (C for an equality), spec §1.3 item 1; the correction comes on top.</summary>
    public double Force(MultiplierState state, double value) => state.Lambda + state.Rho * state.Kind.Residual(value);

    /// <summary>Folds the last step's prediction error into ê, then returns the correction of <see cref="Apply"/> (null when it is zero).</summary>
    public double[]? Correct(MultiplierState[] states, StepPrediction prediction)
    {
        for (int i = 0; i < states.Length; i++) ObserveValue(states[i], prediction.Values[i]);
        var delta = Apply(states, prediction.PostValues, prediction.Sensitivity, prediction.LearningRate, prediction.Stale.ToArray(), prediction.Values,
            double.IsPositiveInfinity(TrustRadius) ? double.PositiveInfinity : prediction.BaseStepNorm());
        return delta.Any(d => d != 0) ? delta : null;
    }

    /// <summary>Nothing: this rule moved λ when it corrected the step (the λ kept is the holding part).</summary>
    public virtual void Update(MultiplierState[] states, StepOutcome outcome) { }

    /// <summary>
    /// Folds this step's value into the linearisation error: e = C_t − C_post,t−1 (skipped before the first step, after
    /// a constraint was added, and after a step predicted from a stale Jacobian), ê ← s·ê + (1 − s)·max(0, e) (|e| for an
    /// equality).
    /// </summary>
    public virtual void ObserveValue(MultiplierState state, double value)
    {
        if (!double.IsFinite(state.LastPostValue) || !state.LastPostValueFresh) return;
        FoldError(state, value - state.LastPostValue);
    }

    /// <summary>ê ← s·ê + (1 − s)·max(0, e) (|e| for an equality).</summary>
    protected void FoldError(MultiplierState state, double error)
    {
        var own = state.RuleState<LinearizedRuleState>();
        double signal = state.Kind == ConstraintKind.Equality ? Math.Abs(error) : Math.Max(0, error);
        own.LinearizationError = ErrorSmoothing * own.LinearizationError + (1 - ErrorSmoothing) * signal;
    }

    /// <summary>c*: −max(γ·ê, minimum slack), no deeper than the max depth fraction of what the constraint can reach (<see cref="MultiplierState.ReachableDepth"/>), for an inequality; 0 for an equality.</summary>
    public double Target(MultiplierState state)
    {
        if (state.Kind == ConstraintKind.Equality) return 0;
        double depth = Math.Max(ErrorSafety * state.RuleState<LinearizedRuleState>().LinearizationError, MinimumSlack);
        double reachable = state.ReachableDepth;
        if (double.IsFinite(reachable) && reachable > 0) depth = Math.Min(depth, MaxDepthFraction * reachable);
        return -depth;
    }

    /// <summary>
    /// The new multipliers for a proposal with predicted post-step values <paramref name="postValues"/> and sensitivity
    /// <paramref name="sensitivity"/> at learning rate <paramref name="learningRate"/>. Constraints the step cannot move
    /// (zero sensitivity: no Jacobian on any updated tensor) keep their λ and are counted in
    /// <see cref="LinearizedRuleState.InactionableSteps"/>; those marked in <paramref name="hold"/> (stale Jacobians) keep
    /// their λ. Returns Δλ, the force increase this step uses. Writes λ into <paramref name="states"/>: with
    /// <paramref name="values"/> (the constraints' current C) given, the holding part of λ + Δλ (what keeps C where it is,
    /// without this step's correction toward the target); without, λ + Δλ. <paramref name="baseStepNorm"/> is δ_bᵀ D δ_b,
    /// the base step's squared metric norm, which <see cref="TrustRadius"/> bounds the correction by (ignored when the
    /// radius is ∞).
    /// </summary>
    public double[] Apply(MultiplierState[] states, IReadOnlyList<double> postValues, double[,] sensitivity, double learningRate, bool[]? hold = null,
        IReadOnlyList<double>? values = null, double baseStepNorm = double.PositiveInfinity)
    {
        int k = states.Length;
        if (k == 0) return new double[0];
        var eligible = new bool[k];
        var gap = new double[k];
        for (int i = 0; i < k; i++)
        {
            if (hold?[i] == true) continue;
            gap[i] = Fraction * (postValues[i] - Target(states[i])) / learningRate;
            if (!ForceCorrection.Actionable(sensitivity, i) || !double.IsFinite(gap[i]))
            {
                // A violated constraint the step cannot move is reported, never silently dropped.
                if (states[i].Kind.Violation(postValues[i]) > 0) states[i].RuleState<LinearizedRuleState>().InactionableSteps++;
                continue;
            }
            eligible[i] = true;
        }
        var kinds = states.Select(s => s.Kind).ToArray();
        var lambdas = states.Select(s => s.Lambda).ToArray();
        var delta = ForceCorrection.Solve(kinds, lambdas, sensitivity, gap, eligible, out var free);

        // The step uses λ + Δ; the multiplier kept is the part that holds C where it is (Δ minus the one-step
        // correction κ·M⁻¹(C − c*)/lr): the equilibrium force against the task's push. A step with a fresh Jacobian
        // recomputes the whole force anyway; steps with stale Jacobians (held) then apply the equilibrium, not a
        // correction that was meant for one step.
        var holding = (double[])delta.Clone();
        if (values is not null)
        {
            var correction = new double[k];
            for (int i = 0; i < k; i++) if (free[i]) correction[i] = Fraction * (values[i] - Target(states[i])) / learningRate;
            var c = ForceCorrection.SolveRows(sensitivity, correction, free);
            for (int i = 0; i < k; i++) if (free[i]) holding[i] -= c[i];
        }
        double shrink = TrustShrink(sensitivity, delta, baseStepNorm);
        if (shrink < 1)
            for (int i = 0; i < k; i++)
            {
                if (delta[i] != 0) states[i].RuleState<LinearizedRuleState>().TrustLimitedSteps++;
                delta[i] *= shrink;
                holding[i] *= shrink;
            }
        for (int i = 0; i < k; i++)
        {
            double stepLambda = states[i].Kind.ProjectMultiplier(states[i].Lambda + delta[i], LambdaMax);
            delta[i] = stepLambda - states[i].Lambda;
            states[i].Lambda = values is null ? stepLambda : states[i].Kind.ProjectMultiplier(states[i].Lambda + holding[i], LambdaMax);
        }
        return delta;
    }

    /// <summary>The factor s ≤ 1 that keeps (sΔ)ᵀ M (sΔ) ≤ τ²·<paramref name="baseStepNorm"/>; 1 when the radius is off or Δ is within it.</summary>
    private double TrustShrink(double[,] m, double[] delta, double baseStepNorm)
    {
        if (double.IsPositiveInfinity(TrustRadius) || !double.IsFinite(baseStepNorm)) return 1;
        double quadratic = ForceCorrection.MetricLength(m, delta);
        double bound = TrustRadius * TrustRadius * baseStepNorm;
        return quadratic > bound && quadratic > 0 ? Math.Sqrt(bound / quadratic) : 1;
    }
}

/// <summary>The linearised rules' state per constraint.</summary>
internal sealed class LinearizedRuleState : IMultiplierRuleState
{
    /// <summary>
    /// ê: EMA of the positive part of the measured error of the first-order prediction (curvature, weight decay). Sets
    /// how far below the boundary the rule aims.
    /// </summary>
    public double LinearizationError { get; set; }

    /// <summary>Steps on which this constraint was violated but the step could not move it (zero sensitivity).</summary>
    public int InactionableSteps { get; set; }

    /// <summary>Steps on which the force increase was scaled down to the trust radius.</summary>
    public int TrustLimitedSteps { get; set; }

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        writer.Double("linearization_error", LinearizationError);
        writer.Longs("counters", new long[] { InactionableSteps, TrustLimitedSteps });
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static LinearizedRuleState Read(CheckpointReader reader)
    {
        double error = reader.Double("linearization_error");
        var c = reader.Longs("counters");
        if (!(error >= 0) || c.Length != 2 || c.Any(v => v < 0 || v > int.MaxValue))
            throw reader.Error("counters", "expected a linearisation error ≥ 0 and 2 counters in [0, 2³¹).");
        return new LinearizedRuleState { LinearizationError = error, InactionableSteps = (int)c[0], TrustLimitedSteps = (int)c[1] };
    }

    /// <inheritdoc />
    public IMultiplierRuleState Clone() => new LinearizedRuleState { LinearizationError = LinearizationError, InactionableSteps = InactionableSteps, TrustLimitedSteps = TrustLimitedSteps };
}
