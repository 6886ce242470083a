using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// Everything the multiplier rules keep for one constraint: plain float64 scalars (spec §1.2 and §1.3 state lists),
/// plus a short history of violations for reports. Optimizers work on a <see cref="Clone"/> and swap it in only when
/// a step succeeds, so a failed step leaves this object as it was.
/// </summary>
public sealed class MultiplierState
{
    /// <summary>Creates the state of a new constraint.</summary>
    public MultiplierState(string name, ConstraintKind kind, double lambda, double rho, int historyLength = 256)
    {
        Name = name; Kind = kind; Lambda = lambda; Rho = rho;
        History = new ViolationHistory(historyLength);
    }

    /// <summary>The constraint's name.</summary>
    public string Name { get; }

    /// <summary>Inequality or equality.</summary>
    public ConstraintKind Kind { get; }

    /// <summary>The margin inside C = K − margin when the constraint object is known (NaN for constraints registered by name).</summary>
    public double Margin { get; init; } = double.NaN;

    /// <summary>The multiplier λ.</summary>
    public double Lambda { get; set; }

    /// <summary>The P-gain / stiffness ρ.</summary>
    public double Rho { get; set; }

    /// <summary>Violation at the previous step (null before the first, and after a task boundary).</summary>
    public double? PreviousViolation { get; set; }

    /// <summary>v10: EMA of the residual, which sets the force (spec §1.2 step 1).</summary>
    public double ViolationEma { get; set; }

    /// <summary>v13: EMA integrator of the (post-step) residual, reset every outer window (spec §1.3 step 4).</summary>
    public double IntegralEma { get; set; }

    /// <summary>v10: residuals summed since the last dual update.</summary>
    public double ViolationAccumulator { get; set; }

    /// <summary>v10: primal steps since the last dual update.</summary>
    public int InnerCount { get; set; }

    /// <summary>Dual updates so far.</summary>
    public int DualUpdates { get; set; }

    /// <summary>v10 frame-age rule: steps since the last violated dual update.</summary>
    public int StepsSinceViolation { get; set; }

    /// <summary>The constraint value C at the latest step.</summary>
    public double LastValue { get; set; } = double.NaN;

    /// <summary>The predicted post-step value C + lr·⟨J, δ⟩ at the latest step.</summary>
    public double LastPostValue { get; set; } = double.NaN;

    /// <summary>
    /// Linearised rule: EMA of the positive part of C_t − C_post,t−1, what the first-order prediction of the last step
    /// missed (curvature, weight decay). Sets how far below the boundary the rule aims.
    /// </summary>
    public double LinearizationError { get; set; }

    /// <summary>Whether <see cref="LastPostValue"/> was predicted from a Jacobian computed at that step (not a cached one).</summary>
    public bool LastPostValueFresh { get; set; }

    /// <summary>Linearised rule: steps on which this constraint was violated but the step could not move it (zero sensitivity).</summary>
    public int InactionableSteps { get; set; }

    /// <summary>Linearised rule with a trust radius: steps on which the force increase was scaled down to the radius.</summary>
    public int TrustLimitedSteps { get; set; }

    /// <summary>Rolling window of dual signals for the robust (quantile–Huber) option; null when it is off.</summary>
    public RobustSignalWindow? RobustWindow { get; set; }

    /// <summary>Recent violations (max(0, C) or |C|), newest last.</summary>
    public ViolationHistory History { get; private set; }

    /// <summary>A deep copy.</summary>
    public MultiplierState Clone()
    {
        var copy = (MultiplierState)MemberwiseClone();
        copy.History = History.Clone();
        copy.RobustWindow = RobustWindow?.Clone();
        return copy;
    }
}
