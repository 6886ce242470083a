using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The v10 multiplier rule of the AL-Hessian optimizer (spec §1.2): the force uses an EMA of the residual; the dual
/// step is ρ_dual = min(ρ_max, ρ²/(ρ + ρ_max)) times the mean residual over <see cref="UpdateFrequency"/> steps,
/// optionally damped, diminishing (ρ_dual/√n) or with frame-age decay.
/// </summary>
/// <param name="ViolationEmaBeta">β of the residual EMA in the force.</param>
/// <param name="Damping">Multiplies λ inside the dual update.</param>
/// <param name="LambdaMax">Bound on |λ|.</param>
/// <param name="MaxAge">Frame-age reset: λ ← 0 after this many unviolated steps; 0 = off.</param>
/// <param name="AgeDecay">Per-step decay of λ while unviolated (frame-age rule).</param>
/// <param name="UpdateFrequency">Primal steps per dual update.</param>
/// <param name="Diminishing">Use ρ_dual/√n after the first dual update.</param>
/// <param name="UsePostResidual">Feed C_post rather than C.</param>
/// <param name="Signal">Signed (default) or the release's positive part.</param>
/// <param name="Robust">Quantile–Huber clipping of the signal; null = off.</param>
public sealed record EmaDualRule(double ViolationEmaBeta = 0.9, double Damping = 1.0, double LambdaMax = double.PositiveInfinity, int MaxAge = 0,
    double AgeDecay = 0.95, int UpdateFrequency = 1, bool Diminishing = false, bool UsePostResidual = false,
    DualSignal Signal = DualSignal.Signed, RobustSignalOptions? Robust = null)
{
    /// <summary>Throws when an option is out of range.</summary>
    public void Validate(string owner)
    {
        if (!(ViolationEmaBeta >= 0 && ViolationEmaBeta < 1) || !(Damping >= 0 && Damping <= 1) || !(LambdaMax >= 0) || MaxAge < 0
            || !(AgeDecay >= 0 && AgeDecay <= 1) || UpdateFrequency < 1)
            throw new ArgumentException($"{owner}: EMA rule needs β in [0, 1), damping in [0, 1], λ_max ≥ 0, max age ≥ 0, age decay in [0, 1], update frequency ≥ 1.");
        Robust?.Validate(owner);
    }

    /// <summary>spec §1.2 step 1: EMA of the residual, and the force f = λ + ρ·EMA.</summary>
    public double Force(MultiplierState state, double value)
    {
        state.ViolationEma = ViolationEmaBeta * state.ViolationEma + (1 - ViolationEmaBeta) * state.Kind.Residual(value);
        return state.Lambda + state.Rho * state.ViolationEma;
    }

    /// <summary>spec §1.2 step 3: accumulate the signal; every <see cref="UpdateFrequency"/> steps, move λ.</summary>
    public void Update(MultiplierState state, double value, double postValue, double rhoMax)
    {
        double rhoDual = Math.Min(rhoMax, state.Rho * state.Rho / (state.Rho + rhoMax));
        double source = UsePostResidual && double.IsFinite(postValue) ? postValue : value;
        double v = Signal.Of(state.Kind, source);
        if (Robust is not null)
        {
            state.RobustWindow ??= new RobustSignalWindow(Robust);
            v = state.RobustWindow.Filter(v);
        }
        state.ViolationAccumulator += v;
        state.InnerCount++;
        if (state.InnerCount < UpdateFrequency) return;

        double average = state.ViolationAccumulator / state.InnerCount;
        state.DualUpdates++;
        double step = Diminishing && state.DualUpdates > 1 ? rhoDual / Math.Sqrt(state.DualUpdates) : rhoDual;
        if (MaxAge > 0)
        {
            if (state.Kind.Violation(average) > 0)
            {
                state.Lambda = state.Kind.ProjectMultiplier(state.Lambda + step * average, LambdaMax);
                state.StepsSinceViolation = 0;
            }
            else
            {
                state.StepsSinceViolation += UpdateFrequency;
                state.Lambda = state.StepsSinceViolation > MaxAge ? 0 : state.Lambda * Math.Pow(AgeDecay, UpdateFrequency);
            }
        }
        else
        {
            state.Lambda = state.Kind.ProjectMultiplier(Damping * state.Lambda + step * average, LambdaMax);
        }
        state.ViolationAccumulator = 0;
        state.InnerCount = 0;
    }
}
