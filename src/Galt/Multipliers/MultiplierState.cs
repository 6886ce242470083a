using Galt.Checkpoints;
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

    /// <summary>Writes every field (exact bits) under <paramref name="writer"/>.</summary>
    public void Save(CheckpointWriter writer)
    {
        writer.String("name", Name);
        writer.Int("kind", (int)Kind);
        writer.Doubles("scalars", new[] { Margin, Lambda, Rho, PreviousViolation ?? double.NaN, ViolationEma, IntegralEma, ViolationAccumulator,
            LastValue, LastPostValue, LinearizationError });
        writer.Bool("has_previous", PreviousViolation is not null);
        writer.Longs("counters", new long[] { InnerCount, DualUpdates, StepsSinceViolation, InactionableSteps, TrustLimitedSteps, LastPostValueFresh ? 1 : 0 });
        writer.Int("history_capacity", History.Capacity);
        writer.Doubles("history", History.Values);
        writer.Bool("has_robust", RobustWindow is not null);
        if (RobustWindow is { } w)
        {
            writer.Doubles("robust_options", new[] { w.Options.Window, w.Options.Quantile, w.Options.MinimumSamples });
            writer.Doubles("robust", w.Magnitudes);
        }
    }

    /// <summary>
    /// Reads a state written by <see cref="Save"/>; <paramref name="expectedName"/> and <paramref name="expectedKind"/>
    /// must match (the constraint registered at this position), else the error names both.
    /// </summary>
    public static MultiplierState Read(CheckpointReader reader, string expectedName, ConstraintKind expectedKind)
    {
        string name = reader.String("name");
        if (name != expectedName) throw reader.Error("name", $"holds constraint '{name}' where '{expectedName}' is registered; register the constraints in the order of the checkpointed run.");
        var kind = (ConstraintKind)reader.Int("kind");
        if (kind != expectedKind) throw reader.Error("kind", $"constraint '{name}' was an {kind}, it is registered as an {expectedKind}.");
        var d = reader.Doubles("scalars");
        var c = reader.Longs("counters");
        if (d.Length != 10) throw reader.Error("scalars", $"{d.Length} values where 10 were expected.");
        if (c.Length != 6) throw reader.Error("counters", $"{c.Length} values where 6 were expected.");
        int capacity = reader.Int("history_capacity");
        if (capacity < 1) throw reader.Error("history_capacity", $"{capacity} is not a valid history length.");
        var history = reader.Doubles("history");
        if (history.Length > capacity) throw reader.Error("history", $"{history.Length} values for a history of {capacity}.");
        var state = new MultiplierState(name, kind, d[1], d[2], capacity)
        {
            Margin = d[0], PreviousViolation = reader.Bool("has_previous") ? d[3] : null, ViolationEma = d[4], IntegralEma = d[5],
            ViolationAccumulator = d[6], LastValue = d[7], LastPostValue = d[8], LinearizationError = d[9],
            InnerCount = checked((int)c[0]), DualUpdates = checked((int)c[1]), StepsSinceViolation = checked((int)c[2]),
            InactionableSteps = checked((int)c[3]), TrustLimitedSteps = checked((int)c[4]), LastPostValueFresh = c[5] != 0,
        };
        foreach (var v in history) state.History.Add(v);
        if (reader.Bool("has_robust"))
        {
            var o = reader.Doubles("robust_options");
            if (o.Length != 3) throw reader.Error("robust_options", $"{o.Length} values where 3 were expected.");
            var options = new RobustSignalOptions((int)o[0], o[1], (int)o[2]);
            try { options.Validate(name); }
            catch (ArgumentException e) { throw reader.Error("robust_options", e.Message); }
            var magnitudes = reader.Doubles("robust");
            if (magnitudes.Length > options.Window) throw reader.Error("robust", $"{magnitudes.Length} values for a window of {options.Window}.");
            state.RobustWindow = RobustSignalWindow.Of(options, magnitudes);
        }
        return state;
    }

    /// <summary>A deep copy.</summary>
    public MultiplierState Clone()
    {
        var copy = (MultiplierState)MemberwiseClone();
        copy.History = History.Clone();
        copy.RobustWindow = RobustWindow?.Clone();
        return copy;
    }
}
