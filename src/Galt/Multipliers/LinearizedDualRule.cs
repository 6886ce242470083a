using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// Multipliers from the linearised constraint (docs/feasibility.md): a step's direction δ is affine in the constraint
/// forces f (spec §1.1), so its predicted post-step values C_post = C + lr·⟨J, δ(f)⟩ fall by lr·M·Δf when the forces
/// grow by Δf, with M = J A⁻¹ Jᵀ the solve's sensitivity (A = D + Σ ρ J Jᵀ). This rule picks Δf, on the active set,
/// so that the linearised step lands a fraction <see cref="Fraction"/> of the way to its target c*:
/// lr·(M Δf)_i = κ·(C_post,i − c*_i), with λ_i + Δf_i ≥ 0 for inequalities (complementarity: a constraint whose target
/// is met with λ = 0 stays inactive), and sets λ ← λ + Δf. The target c* = −γ·ê sits below the boundary by γ times
/// the measured linearisation error ê (an EMA of the positive part of C_t − C_post,t−1: what curvature and weight
/// decay add to the first-order prediction), so the step after it lands feasible. It replaces the variant's own λ
/// update (spec §1.2 step 3, §1.3 steps 4 and 6); forces, stiffness and ρ adaptation stay the variant's.
/// </summary>
/// <param name="Fraction">κ in (0, 1]: the share of the gap to the target closed by one step (1: the linearised step lands on it).</param>
/// <param name="ErrorSafety">γ ≥ 0: how many measured linearisation errors the target keeps below the boundary.</param>
/// <param name="ErrorSmoothing">EMA factor of the linearisation error ê, in [0, 1).</param>
/// <param name="LambdaMax">Bound on |λ|.</param>
/// <param name="MinimumSlack">
/// The least depth of an inequality's target, c* ≤ −this: with an exact (linear) prediction ê is 0, and a target of
/// exactly 0 would land on the boundary up to rounding (a violation of 1e-15). Default 1e-6, below what float32
/// evaluation of a constraint resolves.
/// </param>
/// <param name="MaxDepthFraction">
/// The deepest target, as a fraction of the constraint's margin (when it has one, &gt; 0): c* ≥ −this·margin. A measure
/// bounded below by 0 (a KL, a probability mass) cannot reach C &lt; −margin, and a target beyond reach would demand an
/// unbounded force; when the measured error ê grows with the step, an uncapped target runs away.
/// </param>
/// <param name="TrustRadius">
/// τ: the force increase may move the step by at most τ times the base step, measured in the system's own metric:
/// Δfᵀ M Δf ≤ τ²·δ_bᵀ D δ_b (the left side is ‖A⁻¹JᵀΔf‖²_A, what Δf changes δ by). When the linearised target asks for
/// more, Δf (and the λ kept) is scaled down to the boundary and <see cref="MultiplierState.TrustLimitedSteps"/> counts
/// it. A far-violated constraint whose Jacobian barely moves the step otherwise asks for an unbounded force in one
/// step. Default ∞ (off: the rule as in docs/feasibility.md).
/// </param>
public sealed record LinearizedDualRule(double Fraction = 1.0, double ErrorSafety = 2.0, double ErrorSmoothing = 0.9, double LambdaMax = double.PositiveInfinity,
    double MinimumSlack = 1e-6, double MaxDepthFraction = 0.5, double TrustRadius = double.PositiveInfinity)
{
    /// <summary>Relative size below which a constraint's sensitivity counts as zero (the step cannot move it).</summary>
    public const double InactionableRatio = 1e-12;

    /// <summary>Throws, naming <paramref name="owner"/>, when an option is out of range.</summary>
    public void Validate(string owner)
    {
        if (!(Fraction > 0 && Fraction <= 1) || !(ErrorSafety >= 0) || double.IsInfinity(ErrorSafety)
            || !(ErrorSmoothing >= 0 && ErrorSmoothing < 1) || !(LambdaMax >= 0) || !(MinimumSlack >= 0) || double.IsInfinity(MinimumSlack)
            || !(MaxDepthFraction > 0 && MaxDepthFraction <= 1) || !(TrustRadius > 0))
            throw new ArgumentException($"{owner}: the linearised dual rule needs κ in (0, 1], γ ≥ 0 finite, smoothing in [0, 1), λ_max ≥ 0; "
                + $"minimum slack ≥ 0 finite, max depth fraction in (0, 1], trust radius > 0; got κ {Fraction}, γ {ErrorSafety}, smoothing {ErrorSmoothing}, λ_max {LambdaMax}, "
                + $"minimum slack {MinimumSlack}, max depth fraction {MaxDepthFraction}, trust radius {TrustRadius}.");
    }

    /// <summary>
    /// Folds this step's value into the linearisation error: e = C_t − C_post,t−1 (skipped before the first step, after
    /// a constraint was added, and after a step predicted from a stale Jacobian), ê ← s·ê + (1 − s)·max(0, e) (|e| for an
    /// equality).
    /// </summary>
    public void ObserveValue(MultiplierState state, double value)
    {
        if (!double.IsFinite(state.LastPostValue) || !state.LastPostValueFresh) return;
        double e = value - state.LastPostValue;
        double signal = state.Kind == ConstraintKind.Equality ? Math.Abs(e) : Math.Max(0, e);
        state.LinearizationError = ErrorSmoothing * state.LinearizationError + (1 - ErrorSmoothing) * signal;
    }

    /// <summary>c*: −max(γ·ê, minimum slack), no deeper than the max depth fraction of the margin, for an inequality; 0 for an equality.</summary>
    public double Target(MultiplierState state)
    {
        if (state.Kind == ConstraintKind.Equality) return 0;
        double depth = Math.Max(ErrorSafety * state.LinearizationError, MinimumSlack);
        if (state.Margin > 0) depth = Math.Min(depth, MaxDepthFraction * state.Margin);
        return -depth;
    }

    /// <summary>
    /// The new multipliers for a proposal with predicted post-step values <paramref name="postValues"/> and sensitivity
    /// <paramref name="sensitivity"/> at learning rate <paramref name="learningRate"/>. Constraints the step cannot move
    /// (zero sensitivity: no Jacobian on any updated tensor) keep their λ and are counted in
    /// <see cref="MultiplierState.InactionableSteps"/>; those marked in <paramref name="hold"/> (stale Jacobians) keep
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
        var delta = new double[k];
        if (k == 0) return delta;
        double scale = 0;
        for (int i = 0; i < k; i++) scale = Math.Max(scale, sensitivity[i, i]);
        var free = new bool[k];
        var atZero = new bool[k];
        var gap = new double[k];
        for (int i = 0; i < k; i++)
        {
            if (hold?[i] == true) continue;
            gap[i] = Fraction * (postValues[i] - Target(states[i])) / learningRate;
            bool actionable = sensitivity[i, i] > InactionableRatio * scale && scale > 0 && double.IsFinite(gap[i]);
            if (!actionable)
            {
                // A violated constraint the step cannot move is reported, never silently dropped.
                if (states[i].Kind.Violation(postValues[i]) > 0) states[i].InactionableSteps++;
                continue;
            }
            free[i] = true;
        }

        // Active-set iterations on the k×k complementarity problem (k is small): solve the free rows, pin the most
        // negative inequality multiplier at zero, re-admit a pinned row whose target the others no longer meet.
        for (int iteration = 0; iteration < 4 * k + 4; iteration++)
        {
            SolveFree(states, sensitivity, gap, free, atZero, delta);
            int worst = -1;
            for (int i = 0; i < k; i++)
                if (free[i] && states[i].Kind == ConstraintKind.Inequality && states[i].Lambda + delta[i] < 0
                    && (worst < 0 || states[i].Lambda + delta[i] < states[worst].Lambda + delta[worst]))
                    worst = i;
            if (worst >= 0)
            {
                free[worst] = false; atZero[worst] = true;
                continue;
            }
            int readmit = -1;
            for (int i = 0; i < k; i++)
            {
                if (!atZero[i]) continue;
                double residual = gap[i];
                for (int j = 0; j < k; j++) residual -= sensitivity[i, j] * delta[j];
                if (residual > 1e-12 * Math.Abs(gap[i]) + 1e-15) { readmit = i; break; }
            }
            if (readmit < 0) break;
            atZero[readmit] = false; free[readmit] = true;
        }
        // The step uses λ + Δ; the multiplier kept is the part that holds C where it is (Δ minus the one-step
        // correction κ·M⁻¹(C − c*)/lr): the equilibrium force against the task's push. A step with a fresh Jacobian
        // recomputes the whole force anyway; steps with stale Jacobians (held) then apply the equilibrium, not a
        // correction that was meant for one step.
        var holding = (double[])delta.Clone();
        var correction = new double[k];
        bool any = false;
        for (int i = 0; i < k; i++)
            if (free[i] && values is not null)
            {
                correction[i] = Fraction * (values[i] - Target(states[i])) / learningRate;
                any = true;
            }
        if (any)
        {
            var none = new bool[k];
            var c = new double[k];
            SolveFree(states, sensitivity, correction, free, none, c);
            for (int i = 0; i < k; i++) if (free[i]) holding[i] -= c[i];
        }
        double shrink = TrustShrink(sensitivity, delta, baseStepNorm);
        if (shrink < 1)
            for (int i = 0; i < k; i++)
            {
                if (delta[i] != 0) states[i].TrustLimitedSteps++;
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
        int k = delta.Length;
        double quadratic = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) quadratic += delta[i] * m[i, j] * delta[j];
        double bound = TrustRadius * TrustRadius * baseStepNorm;
        return quadratic > bound && quadratic > 0 ? Math.Sqrt(bound / quadratic) : 1;
    }

    /// <summary>Δ for the free rows from M_FF Δ_F = gap_F − M_F,Z Δ_Z, with Δ_Z = −λ_Z for rows pinned at zero, 0 for the rest.</summary>
    private static void SolveFree(MultiplierState[] states, double[,] m, double[] gap, bool[] free, bool[] atZero, double[] delta)
    {
        int k = states.Length;
        for (int i = 0; i < k; i++) delta[i] = atZero[i] ? -states[i].Lambda : 0;
        var rows = Enumerable.Range(0, k).Where(i => free[i]).ToArray();
        if (rows.Length == 0) return;
        int n = rows.Length;
        var s = new double[n, n];
        var r = new double[n];
        double trace = 0;
        for (int a = 0; a < n; a++) trace += m[rows[a], rows[a]];
        for (int a = 0; a < n; a++)
        {
            r[a] = gap[rows[a]];
            for (int j = 0; j < k; j++) if (atZero[j]) r[a] -= m[rows[a], j] * delta[j];
            for (int b = 0; b < n; b++) s[a, b] = m[rows[a], rows[b]];
            // A whisper of ridge keeps nearly parallel Jacobians solvable (their shared direction gets the force).
            s[a, a] += 1e-10 * trace / n;
        }
        var x = Galt.Solve.SymmetricSystem.Solve(s, r);
        for (int a = 0; a < n; a++) delta[rows[a]] = x[a];
    }
}
