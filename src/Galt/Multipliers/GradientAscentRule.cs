using Galt.Checkpoints;
using Galt.Constraints;

namespace Galt.Multipliers;

/// <summary>
/// Plain gradient ascent on the multiplier, Cooper's default dual update: after each step λ ← proj(λ + η·C) with C the
/// step's value (λ ≥ 0 for an inequality, free for an equality). The force is the augmented-Lagrangian one,
/// f = λ + ρ·max(0, C). A baseline: it holds a constraint only on average, after oscillating around it.
/// </summary>
/// <param name="StepSize">η &gt; 0, the dual step size.</param>
/// <param name="LambdaMax">Bound on |λ|.</param>
public sealed record GradientAscentRule(double StepSize = 1.0, double LambdaMax = double.PositiveInfinity) : IMultiplierRule
{
    /// <inheritdoc />
    public string Name => "gradient-ascent";

    /// <inheritdoc />
    public string Description => $"gradient ascent on λ (η {StepSize.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <inheritdoc />
    public void Validate(string owner)
    {
        if (!(StepSize > 0) || double.IsInfinity(StepSize) || !(LambdaMax >= 0))
            throw new ArgumentException($"{owner}: gradient ascent needs a step size η > 0 finite and λ_max ≥ 0; got η {StepSize}, λ_max {LambdaMax}.");
    }

    /// <inheritdoc />
    public IMultiplierRuleState NewState() => NoRuleState.Instance;

    /// <inheritdoc />
    public IMultiplierRuleState ReadState(CheckpointReader reader) => NoRuleState.Instance;

    /// <summary>f = λ + ρ·max(0, C) (C for an equality).</summary>
    public double Force(MultiplierState state, double value) => state.Lambda + state.Rho * state.Kind.Residual(value);

    /// <inheritdoc />
    public double[]? Correct(MultiplierState[] states, StepPrediction prediction) => null;

    /// <inheritdoc />
    public double Target(MultiplierState state) => 0;

    /// <summary>λ ← proj(λ + η·C) for every constraint.</summary>
    public void Update(MultiplierState[] states, StepOutcome outcome)
    {
        for (int i = 0; i < states.Length; i++)
            states[i].Lambda = states[i].Kind.ProjectMultiplier(states[i].Lambda + StepSize * outcome.Values[i], LambdaMax);
    }
}
