using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// The v13 proportional–integral multiplier rule (spec §1.3 steps 4 and 6): every inner step the integrator takes
/// an EMA of the (predicted post-step) residual; every K_in steps λ ← proj(λ + ρ_I·integral) and the integrator restarts.
/// </summary>
/// <param name="RhoI">Integral gain ρ_I.</param>
/// <param name="Smoothing">EMA factor of the integrator (0.9).</param>
/// <param name="UsePostResidual">Feed C_post = C + lr·⟨J, δ⟩ rather than C.</param>
/// <param name="LambdaMax">Bound on |λ|.</param>
/// <param name="Signal">Signed (default) or the release's positive part.</param>
/// <param name="Robust">Quantile–Huber clipping of the signal; null = off.</param>
public sealed record PiDualRule(double RhoI = 0.5, double Smoothing = 0.9, bool UsePostResidual = true, double LambdaMax = double.PositiveInfinity,
    DualSignal Signal = DualSignal.Signed, RobustSignalOptions? Robust = null)
{
    /// <summary>Throws when an option is out of range.</summary>
    public void Validate(string owner)
    {
        if (!(RhoI >= 0) || double.IsInfinity(RhoI) || !(Smoothing >= 0 && Smoothing < 1) || !(LambdaMax >= 0))
            throw new ArgumentException($"{owner}: PI rule needs ρ_I ≥ 0 finite, smoothing in [0, 1), λ_max ≥ 0; got ρ_I {RhoI}, smoothing {Smoothing}, λ_max {LambdaMax}.");
        Robust?.Validate(owner);
    }

    /// <summary>spec §1.3 step 4: integral ← s·(1−smoothing) + smoothing·integral.</summary>
    public void Integrate(MultiplierState state, double value, double postValue)
    {
        double source = UsePostResidual && double.IsFinite(postValue) ? postValue : value;
        double s = Signal.Of(state.Kind, source);
        if (Robust is not null)
        {
            state.RobustWindow ??= new RobustSignalWindow(Robust);
            s = state.RobustWindow.Filter(s);
        }
        state.IntegralEma = Smoothing * state.IntegralEma + (1 - Smoothing) * s;
    }

    /// <summary>spec §1.3 step 6: λ ← proj(λ + ρ_I·integral); the integrator restarts.</summary>
    public void OuterStep(MultiplierState state)
    {
        state.Lambda = state.Kind.ProjectMultiplier(state.Lambda + RhoI * state.IntegralEma, LambdaMax);
        state.DualUpdates++;
        state.IntegralEma = 0;
    }
}
