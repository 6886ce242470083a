using Galt.Checkpoints;
using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The v13 proportional–integral multiplier rule (spec §1.3 steps 1, 4 and 6), the release's rule of
/// <c>AVBDGALTOptimizer</c>: the force is the P-term f = λ + ρ·max(0, C); every step an integrator takes an EMA of the
/// (predicted post-step) residual; at each outer step (every K_in steps) λ ← proj(λ + ρ_I·integral) and the
/// integrator restarts. It moves λ by a small fixed gain and can end infeasible (docs/feasibility.md).
/// </summary>
/// <param name="RhoI">Integral gain ρ_I.</param>
/// <param name="Smoothing">EMA factor of the integrator (0.9).</param>
/// <param name="UsePostResidual">Feed C_post = C + lr·⟨J, δ⟩ rather than C.</param>
/// <param name="LambdaMax">Bound on |λ|.</param>
/// <param name="Signal">Signed (default) or the release's positive part.</param>
/// <param name="Robust">Quantile–Huber clipping of the signal; null = off.</param>
public sealed record PiDualRule(double RhoI = 0.5, double Smoothing = 0.9, bool UsePostResidual = true, double LambdaMax = double.PositiveInfinity,
    DualSignal Signal = DualSignal.Signed, RobustSignalOptions? Robust = null) : IMultiplierRule
{
    /// <inheritdoc />
    public string Name => "pi";

    /// <inheritdoc />
    public string Description => $"release PI rule (ρ_I {Format(RhoI)}, smoothing {Format(Smoothing)}, {Signal} signal{(UsePostResidual ? ", post-step residual" : "")})";

    private static string Format(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Validate(string owner)
    {
        if (!(RhoI >= 0) || double.IsInfinity(RhoI) || !(Smoothing >= 0 && Smoothing < 1) || !(LambdaMax >= 0))
            throw new ArgumentException($"{owner}: PI rule needs ρ_I ≥ 0 finite, smoothing in [0, 1), λ_max ≥ 0; got ρ_I {RhoI}, smoothing {Smoothing}, λ_max {LambdaMax}.");
        Robust?.Validate(owner);
    }

    /// <inheritdoc />
    public IMultiplierRuleState NewState() => new PiRuleState();

    /// <inheritdoc />
    public IMultiplierRuleState ReadState(CheckpointReader reader) => PiRuleState.Read(reader);

    /// <summary>spec §1.3 item 1: the P-term force on the raw residual, f = λ + ρ·max(0, C) (C for an equality).</summary>
    public double Force(MultiplierState state, double value) => state.Lambda + state.Rho * state.Kind.Residual(value);

    /// <inheritdoc />
    public double[]? Correct(MultiplierState[] states, StepPrediction prediction) => null;

    /// <inheritdoc />
    public double Target(MultiplierState state) => 0;

    /// <summary>spec §1.3 items 4 and 6: integrate each constraint's signal; at an outer step move λ by ρ_I·integral.</summary>
    public void Update(MultiplierState[] states, StepOutcome outcome)
    {
        for (int i = 0; i < states.Length; i++)
        {
            Integrate(states[i], outcome.Values[i], outcome.PostValues[i]);
            if (outcome.OuterStep) OuterStep(states[i]);
        }
    }

    /// <summary>spec §1.3 step 4: integral ← s·(1−smoothing) + smoothing·integral.</summary>
    public void Integrate(MultiplierState state, double value, double postValue)
    {
        var own = state.RuleState<PiRuleState>();
        double source = UsePostResidual && double.IsFinite(postValue) ? postValue : value;
        double s = Signal.Of(state.Kind, source);
        if (Robust is not null)
        {
            own.RobustWindow ??= new RobustSignalWindow(Robust);
            s = own.RobustWindow.Filter(s);
        }
        own.Integral = Smoothing * own.Integral + (1 - Smoothing) * s;
    }

    /// <summary>spec §1.3 step 6: λ ← proj(λ + ρ_I·integral); the integrator restarts.</summary>
    public void OuterStep(MultiplierState state)
    {
        var own = state.RuleState<PiRuleState>();
        state.Lambda = state.Kind.ProjectMultiplier(state.Lambda + RhoI * own.Integral, LambdaMax);
        own.DualUpdates++;
        own.Integral = 0;
    }
}

/// <summary>The PI rule's state per constraint (spec §1.3 state list).</summary>
internal sealed class PiRuleState : IMultiplierRuleState
{
    /// <summary>The EMA integrator of the (post-step) residual, reset every outer window.</summary>
    public double Integral { get; set; }

    /// <summary>Outer (dual) steps so far.</summary>
    public int DualUpdates { get; set; }

    /// <summary>Rolling window of signals for the robust option; null when it is off.</summary>
    public RobustSignalWindow? RobustWindow { get; set; }

    /// <summary>Task boundary (spec §1.3 item 7): the integrator restarts.</summary>
    public void Restart() => Integral = 0;

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        writer.Double("integral", Integral);
        writer.Int("dual_updates", DualUpdates);
        writer.Bool("has_robust", RobustWindow is not null);
        RobustWindow?.Save(writer);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static PiRuleState Read(CheckpointReader reader) => new()
    {
        Integral = reader.Double("integral"), DualUpdates = reader.Int("dual_updates"),
        RobustWindow = reader.Bool("has_robust") ? RobustSignalWindow.Read(reader, "PI rule") : null,
    };

    /// <inheritdoc />
    public IMultiplierRuleState Clone() => new PiRuleState { Integral = Integral, DualUpdates = DualUpdates, RobustWindow = RobustWindow?.Clone() };
}
