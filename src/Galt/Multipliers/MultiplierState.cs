using Galt.Checkpoints;
using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// What an optimizer keeps for one constraint: λ and ρ (float64 scalars, spec §1.2 and §1.3 state lists), the latest
/// values, a short history of violations for reports, the step contract's counters, and the multiplier rule's own
/// state (<see cref="Rule"/>). Optimizers work on a <see cref="Clone"/> and swap it in only when a step succeeds, so a
/// failed step leaves this object as it was.
/// </summary>
public sealed class MultiplierState
{
    /// <summary>Creates the state of a new constraint; <paramref name="rule"/> is the rule's own state (none by default).</summary>
    public MultiplierState(string name, ConstraintKind kind, double lambda, double rho, int historyLength = 256, IMultiplierRuleState? rule = null)
    {
        Name = name; Kind = kind; Lambda = lambda; Rho = rho;
        History = new ViolationHistory(historyLength);
        Rule = rule ?? NoRuleState.Instance;
    }

    /// <summary>The constraint's name.</summary>
    public string Name { get; }

    /// <summary>Inequality or equality.</summary>
    public ConstraintKind Kind { get; }

    /// <summary>The margin inside C = K − margin when the constraint object is known (NaN for constraints registered by name).</summary>
    public double Margin { get; init; } = double.NaN;

    /// <summary>The infimum of the constraint's measure K (<c>Constraint.MeasureFloor</c>; −∞ when unknown).</summary>
    public double MeasureFloor { get; init; } = double.NegativeInfinity;

    /// <summary>
    /// How far below its boundary the constraint can go at all: C = K − margin ≥ floor − margin, so margin − floor when the
    /// floor is known; the margin itself when only that is known (a measure bounded below by 0); ∞ otherwise. A target
    /// deeper than this cannot be reached, whatever the force.
    /// </summary>
    public double ReachableDepth => double.IsFinite(MeasureFloor) && double.IsFinite(Margin) ? Margin - MeasureFloor
        : Margin > 0 ? Margin : double.PositiveInfinity;

    /// <summary>The multiplier λ.</summary>
    public double Lambda { get; set; }

    /// <summary>The P-gain / stiffness ρ.</summary>
    public double Rho { get; set; }

    /// <summary>The penalty schedule's violation at the previous step (null before the first, and after a task boundary).</summary>
    public double? PreviousViolation { get; set; }

    /// <summary>The constraint value C at the latest step's start.</summary>
    public double LastValue { get; set; } = double.NaN;

    /// <summary>The predicted post-step value C + lr·⟨J, δ⟩ of the latest step taken.</summary>
    public double LastPostValue { get; set; } = double.NaN;

    /// <summary>Whether <see cref="LastPostValue"/> was predicted from a Jacobian computed at that step (not a cached one).</summary>
    public bool LastPostValueFresh { get; set; }

    /// <summary>C measured after the latest step by the step contract (NaN when it was not measured).</summary>
    public double LastMeasuredValue { get; set; } = double.NaN;

    /// <summary>Steps on which this constraint's measured value broke the step contract and the step was corrected or shortened.</summary>
    public int ContractCorrections { get; set; }

    /// <summary>Times this constraint's multiplier was reported growing without its violation falling (a runaway; the step contract's guard).</summary>
    public int RunawayReports { get; set; }

    /// <summary>Times this constraint was reported staying violated over a window without its multiplier running away (a stall).</summary>
    public int StallReports { get; set; }

    /// <summary>The runaway guard's reference: λ at <see cref="RunawaySince"/>.</summary>
    public double RunawayLambda { get; set; }

    /// <summary>The runaway guard's reference: the violation after the step <see cref="RunawaySince"/>.</summary>
    public double RunawayViolation { get; set; }

    /// <summary>The optimizer step the runaway guard's reference was taken at.</summary>
    public int RunawaySince { get; set; }

    /// <summary>True from a runaway report until the constraint is feasible again: a certificate then says the model diverged.</summary>
    public bool RunawayActive { get; set; }

    /// <summary>|λ| when the runaway was reported: λ is held at or below it while <see cref="RunawayActive"/>.</summary>
    public double RunawayCap { get; set; }

    /// <summary>The multiplier rule's own state (integrators, EMAs, counters); <see cref="NoRuleState"/> for a rule that keeps none.</summary>
    public IMultiplierRuleState Rule { get; set; }

    /// <summary>Recent violations (max(0, C) or |C|) at the steps' starts, newest last.</summary>
    public ViolationHistory History { get; private set; }

    /// <summary>The rule state as <typeparamref name="T"/>; throws, naming the constraint, when the optimizer's rule keeps another kind.</summary>
    public T RuleState<T>() where T : class, IMultiplierRuleState => Rule as T
        ?? throw new InvalidOperationException($"constraint '{Name}' carries a {Rule.GetType().Name}, not the {typeof(T).Name} this rule keeps; was the state created by another rule?");

    /// <summary>The rule name written for a state kept without a multiplier rule (a penalty schedule alone, e.g. a split-variable edge).</summary>
    public const string NoRule = "none";

    /// <summary>Writes every field (exact bits) under <paramref name="writer"/>, the rule's state under <c>rule/</c> with the rule's name.</summary>
    public void Save(CheckpointWriter writer, string ruleName = NoRule)
    {
        writer.String("name", Name);
        writer.Int("kind", (int)Kind);
        writer.Doubles("scalars", new[] { Margin, Lambda, Rho, PreviousViolation ?? double.NaN, LastValue, LastPostValue, LastMeasuredValue, RunawayLambda, RunawayViolation, RunawayCap, MeasureFloor });
        writer.Bool("has_previous", PreviousViolation is not null);
        writer.Longs("counters", new long[] { ContractCorrections, RunawayReports, LastPostValueFresh ? 1 : 0, RunawaySince, RunawayActive ? 1 : 0, StallReports });
        writer.Int("history_capacity", History.Capacity);
        writer.Doubles("history", History.Values);
        writer.String("rule_name", ruleName);
        Rule.Save(writer.Scope("rule"));
    }

    /// <summary>
    /// Reads a state written by <see cref="Save"/>; <paramref name="expectedName"/> and <paramref name="expectedKind"/>
    /// must match (the constraint registered at this position) and the rule must be <paramref name="rule"/> (null: a
    /// state kept without one), else the error names both.
    /// </summary>
    public static MultiplierState Read(CheckpointReader reader, string expectedName, ConstraintKind expectedKind, IMultiplierRule? rule = null)
    {
        string name = reader.String("name");
        if (name != expectedName) throw reader.Error("name", $"holds constraint '{name}' where '{expectedName}' is registered; register the constraints in the order of the checkpointed run.");
        var kind = (ConstraintKind)reader.Int("kind");
        if (kind != expectedKind) throw reader.Error("kind", $"constraint '{name}' was an {kind}, it is registered as an {expectedKind}.");
        var d = reader.Doubles("scalars");
        var c = reader.Longs("counters");
        if (d.Length != 11) throw reader.Error("scalars", $"{d.Length} values where 11 were expected.");
        if (c.Length != 6 || c.Any(v => v < 0 || v > int.MaxValue)) throw reader.Error("counters", $"{c.Length} values where 6 counters in [0, 2³¹) were expected.");
        int capacity = reader.Int("history_capacity");
        if (capacity < 1) throw reader.Error("history_capacity", $"{capacity} is not a valid history length.");
        var history = reader.Doubles("history");
        if (history.Length > capacity) throw reader.Error("history", $"{history.Length} values for a history of {capacity}.");
        string ruleName = reader.String("rule_name");
        string expectedRule = rule?.Name ?? NoRule;
        if (ruleName != expectedRule)
            throw reader.Error("rule_name", $"constraint '{name}' was trained with the '{ruleName}' multiplier rule; this optimizer uses '{expectedRule}'. Restore with the run's rule.");
        var state = new MultiplierState(name, kind, d[1], d[2], capacity, rule?.ReadState(reader.Scope("rule")))
        {
            Margin = d[0], PreviousViolation = reader.Bool("has_previous") ? d[3] : null, LastValue = d[4], LastPostValue = d[5], LastMeasuredValue = d[6],
            RunawayLambda = d[7], RunawayViolation = d[8], RunawayCap = d[9], MeasureFloor = d[10],
            ContractCorrections = (int)c[0], RunawayReports = (int)c[1], LastPostValueFresh = c[2] != 0, RunawaySince = (int)c[3], RunawayActive = c[4] != 0, StallReports = (int)c[5],
        };
        foreach (var v in history) state.History.Add(v);
        return state;
    }

    /// <summary>A deep copy (the rule's state included).</summary>
    public MultiplierState Clone()
    {
        var copy = (MultiplierState)MemberwiseClone();
        copy.History = History.Clone();
        copy.Rule = Rule.Clone();
        return copy;
    }
}
