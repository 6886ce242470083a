using Galt.Multipliers;
using Galt.Solve;

namespace Galt.Optim;

/// <summary>
/// Settings of <see cref="AlHessianOptimizer"/>; defaults are the release's (spec §1.2), except the signed dual signal
/// (see <see cref="DualSignal"/>). Split-MNIST passes lr 1e-3 and ρ ceiling 2.
/// </summary>
public sealed record AlHessianOptions
{
    /// <summary>Step size lr.</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>Adam β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>ρ: initial 1 (also the decay floor), ceiling 50, growth 1.5, no decay, τ 0.9.</summary>
    public PenaltySchedule Penalty { get; init; } = new();

    /// <summary>The v10 multiplier rule.</summary>
    public EmaDualRule Dual { get; init; } = new();

    /// <summary>λ of a new constraint.</summary>
    public double LambdaInit { get; init; }

    /// <summary>Scope and Woodbury settings of the local solve.</summary>
    public LowRankSolveOptions Solve { get; init; } = LowRankSolveOptions.Default;

    /// <summary>
    /// Floor of the metric D inside the constrained system, as a fraction of each parameter tensor's mean D (0 = none,
    /// the release's behaviour). Coordinates whose task gradient has always been zero have D = ε; a constraint that
    /// touches them would otherwise move them by J/ε. Does not change unconstrained steps.
    /// </summary>
    public double MetricFloorRatio { get; init; } = 0.1;

    /// <summary>Violations kept per constraint for reports.</summary>
    public int HistoryLength { get; init; } = 256;

    /// <summary>Throws, naming the option, when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"AlHessianOptions.LearningRate must be positive and finite; got {LearningRate}.");
        if (!(WeightDecay >= 0) || LearningRate * WeightDecay >= 1) throw new ArgumentException($"AlHessianOptions.WeightDecay must be ≥ 0 with lr·wd < 1; got {WeightDecay}.");
        if (!double.IsFinite(LambdaInit)) throw new ArgumentException($"AlHessianOptions.LambdaInit must be finite; got {LambdaInit}.");
        if (!(MetricFloorRatio >= 0) || double.IsInfinity(MetricFloorRatio)) throw new ArgumentException($"MetricFloorRatio must be ≥ 0 and finite; got {MetricFloorRatio}.");
        if (HistoryLength < 1) throw new ArgumentException($"AlHessianOptions.HistoryLength must be ≥ 1; got {HistoryLength}.");
        Penalty.Validate("AlHessianOptions.Penalty");
        Dual.Validate("AlHessianOptions.Dual");
    }
}
