using Galt.Checkpoints;
using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The v10 multiplier rule of the release's AL-Hessian optimizer (spec §1.2 steps 1 and 3): the force uses an EMA of
/// the residual, f = λ + ρ·EMA; the dual step is ρ_dual = min(ρ_max, ρ²/(ρ + ρ_max)) times the mean residual over
/// <see cref="UpdateFrequency"/> steps, optionally damped, diminishing (ρ_dual/√n) or with frame-age decay. It moves
/// λ by a small fixed gain and can end infeasible (docs/feasibility.md).
/// </summary>
/// <param name="ViolationEmaBeta">β of the residual EMA in the force.</param>
/// <param name="Damping">Multiplies λ inside the dual update.</param>
/// <param name="LambdaMax">Bound on |λ|.</param>
/// <param name="MaxAge">Frame-age reset: λ ← 0 after this many unviolated steps; 0 = off.</param>
/// <param name="AgeDecay">Per-step decay of λ while unviolated (frame-age rule).</param>
/// <param name="UpdateFrequency">Primal steps per dual update.</param>
/// <param name="Diminishing">Use ρ_dual/√n after the first dual update.</param>
/// <param name="UsePostResidual">Feed C_post rather than C (to the dual step and to ρ's adaptation).</param>
/// <param name="Signal">Signed (default) or the release's positive part.</param>
/// <param name="Robust">Quantile–Huber clipping of the signal; null = off.</param>
public sealed record EmaDualRule(double ViolationEmaBeta = 0.9, double Damping = 1.0, double LambdaMax = double.PositiveInfinity, int MaxAge = 0,
    double AgeDecay = 0.95, int UpdateFrequency = 1, bool Diminishing = false, bool UsePostResidual = false,
    DualSignal Signal = DualSignal.Signed, RobustSignalOptions? Robust = null) : IMultiplierRule
{
    /// <inheritdoc />
    public string Name => "ema";

    /// <inheritdoc />
    public string Description => $"release EMA rule (β {Format(ViolationEmaBeta)}, dual step every {UpdateFrequency}{(Diminishing ? ", diminishing" : "")}, {Signal} signal)";

    private static string Format(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Validate(string owner)
    {
        if (!(ViolationEmaBeta >= 0 && ViolationEmaBeta < 1) || !(Damping >= 0 && Damping <= 1) || !(LambdaMax >= 0) || MaxAge < 0
            || !(AgeDecay >= 0 && AgeDecay <= 1) || UpdateFrequency < 1)
            throw new ArgumentException($"{owner}: EMA rule needs β in [0, 1), damping in [0, 1], λ_max ≥ 0, max age ≥ 0, age decay in [0, 1], update frequency ≥ 1.");
        Robust?.Validate(owner);
    }

    /// <inheritdoc />
    public IMultiplierRuleState NewState() => new EmaRuleState();

    /// <inheritdoc />
    public IMultiplierRuleState ReadState(CheckpointReader reader) => EmaRuleState.Read(reader);

    /// <summary>spec §1.2 step 1: EMA of the residual, and the force f = λ + ρ·EMA.</summary>
    public double Force(MultiplierState state, double value)
    {
        var own = state.RuleState<EmaRuleState>();
        own.ViolationEma = ViolationEmaBeta * own.ViolationEma + (1 - ViolationEmaBeta) * state.Kind.Residual(value);
        return state.Lambda + state.Rho * own.ViolationEma;
    }

    /// <inheritdoc />
    public double[]? Correct(MultiplierState[] states, StepPrediction prediction) => null;

    /// <inheritdoc />
    public double Target(MultiplierState state) => 0;

    /// <inheritdoc />
    public void Update(MultiplierState[] states, StepOutcome outcome)
    {
        for (int i = 0; i < states.Length; i++) Update(states[i], outcome.Values[i], outcome.PostValues[i], outcome.PenaltyCeiling);
    }

    /// <inheritdoc />
    public double PenaltySignal(StepOutcome outcome, int index) => UsePostResidual ? outcome.PostValues[index] : outcome.Values[index];

    /// <summary>spec §1.2 step 3: accumulate the signal; every <see cref="UpdateFrequency"/> steps, move λ.</summary>
    public void Update(MultiplierState state, double value, double postValue, double rhoMax)
    {
        var own = state.RuleState<EmaRuleState>();
        double rhoDual = Math.Min(rhoMax, state.Rho * state.Rho / (state.Rho + rhoMax));
        double source = UsePostResidual && double.IsFinite(postValue) ? postValue : value;
        double v = Signal.Of(state.Kind, source);
        if (Robust is not null)
        {
            own.RobustWindow ??= new RobustSignalWindow(Robust);
            v = own.RobustWindow.Filter(v);
        }
        own.Accumulator += v;
        own.InnerCount++;
        if (own.InnerCount < UpdateFrequency) return;

        double average = own.Accumulator / own.InnerCount;
        own.DualUpdates++;
        double step = Diminishing && own.DualUpdates > 1 ? rhoDual / Math.Sqrt(own.DualUpdates) : rhoDual;
        if (MaxAge > 0)
        {
            if (state.Kind.Violation(average) > 0)
            {
                state.Lambda = state.Kind.ProjectMultiplier(state.Lambda + step * average, LambdaMax);
                own.StepsSinceViolation = 0;
            }
            else
            {
                own.StepsSinceViolation += UpdateFrequency;
                state.Lambda = own.StepsSinceViolation > MaxAge ? 0 : state.Lambda * Math.Pow(AgeDecay, UpdateFrequency);
            }
        }
        else
        {
            state.Lambda = state.Kind.ProjectMultiplier(Damping * state.Lambda + step * average, LambdaMax);
        }
        own.Accumulator = 0;
        own.InnerCount = 0;
    }
}

/// <summary>The v10 rule's state per constraint (spec §1.2 state list).</summary>
internal sealed class EmaRuleState : IMultiplierRuleState
{
    /// <summary>EMA of the residual, which sets the force (spec §1.2 step 1).</summary>
    public double ViolationEma { get; set; }

    /// <summary>Signals summed since the last dual update.</summary>
    public double Accumulator { get; set; }

    /// <summary>Primal steps since the last dual update.</summary>
    public int InnerCount { get; set; }

    /// <summary>Dual updates so far.</summary>
    public int DualUpdates { get; set; }

    /// <summary>Frame-age rule: steps since the last violated dual update.</summary>
    public int StepsSinceViolation { get; set; }

    /// <summary>Rolling window of signals for the robust option; null when it is off.</summary>
    public RobustSignalWindow? RobustWindow { get; set; }

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        writer.Doubles("scalars", new[] { ViolationEma, Accumulator });
        writer.Longs("counters", new long[] { InnerCount, DualUpdates, StepsSinceViolation });
        writer.Bool("has_robust", RobustWindow is not null);
        RobustWindow?.Save(writer);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static EmaRuleState Read(CheckpointReader reader)
    {
        var d = reader.Doubles("scalars");
        var c = reader.Longs("counters");
        if (d.Length != 2) throw reader.Error("scalars", $"{d.Length} values where 2 were expected.");
        if (c.Length != 3 || c.Any(v => v < 0 || v > int.MaxValue)) throw reader.Error("counters", "expected 3 counters in [0, 2³¹).");
        return new EmaRuleState
        {
            ViolationEma = d[0], Accumulator = d[1], InnerCount = (int)c[0], DualUpdates = (int)c[1], StepsSinceViolation = (int)c[2],
            RobustWindow = reader.Bool("has_robust") ? RobustSignalWindow.Read(reader, "EMA rule") : null,
        };
    }

    /// <inheritdoc />
    public IMultiplierRuleState Clone() => new EmaRuleState
    {
        ViolationEma = ViolationEma, Accumulator = Accumulator, InnerCount = InnerCount, DualUpdates = DualUpdates,
        StepsSinceViolation = StepsSinceViolation, RobustWindow = RobustWindow?.Clone(),
    };
}
