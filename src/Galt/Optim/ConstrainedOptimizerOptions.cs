using Galt.Multipliers;
using Galt.Solve;

namespace Galt.Optim;

/// <summary>Settings both constrained optimizers share: the Adam metric, the step, ρ, the local solve, reporting.</summary>
public abstract record ConstrainedOptimizerOptions
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

    /// <summary>ρ (the P-gain and stiffness): initial 1 (also the decay floor), ceiling 50, growth 1.5, no decay, τ 0.9.</summary>
    public PenaltySchedule Penalty { get; init; } = new();

    /// <summary>Scope and Woodbury settings of the local solve.</summary>
    public LowRankSolveOptions Solve { get; init; } = LowRankSolveOptions.Default;

    /// <summary>
    /// Floor of the metric D inside the constrained system, as a fraction of each parameter tensor's mean D (0 = none,
    /// the release's behaviour). Coordinates whose task gradient has always been zero have D = ε; a constraint that
    /// touches them would otherwise move them by J/ε. Does not change unconstrained steps.
    /// </summary>
    public double MetricFloorRatio { get; init; } = 0.1;

    /// <summary>
    /// How multipliers and forces move (<see cref="IMultiplierRule"/>): by default <see cref="MeasuredDualRule"/>, λ from
    /// the linearised constraint with measured errors and integral action on measured violations (docs/feasibility.md).
    /// The release's rules: <see cref="PiDualRule"/> (spec §1.3) and <see cref="EmaDualRule"/> (spec §1.2); Cooper's:
    /// <see cref="GradientAscentRule"/>. Any rule works with either optimizer.
    /// </summary>
    public IMultiplierRule MultiplierRule { get; init; } = new MeasuredDualRule();

    /// <summary>
    /// The per-step contract (<see cref="StepContract"/>): every step is measured and kept feasible (or, from an
    /// infeasible start, not more violated), at one extra constraint evaluation in the common case. Default on; null
    /// takes every step on the linearised prediction alone (the release's behaviour).
    /// </summary>
    public StepContract? Contract { get; init; } = new();

    /// <summary>
    /// Which constraints get a Jacobian on a closure step when there are many (spec §4's active set); null (default) =
    /// every constraint every step.
    /// </summary>
    public ActiveSetRule? ActiveSet { get; init; }

    /// <summary>How constraint Jacobians are computed in the closure step: batched where possible (default), or forced.</summary>
    public Galt.Jacobians.JacobianPath Jacobians { get; init; } = Galt.Jacobians.JacobianPath.Auto;

    /// <summary>
    /// Which code computes the step: the fused CPU kernels where the tensors allow (default), or always the tensor path
    /// (the reference, e.g. to compare against).
    /// </summary>
    public StepKernel Kernel { get; init; } = StepKernel.Fused;

    /// <summary>Violations kept per constraint for reports.</summary>
    public int HistoryLength { get; init; } = 256;

    /// <summary>Throws, naming the option, when a shared setting is out of range.</summary>
    protected void ValidateShared(string owner)
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"{owner}.LearningRate must be positive and finite; got {LearningRate}.");
        if (!(WeightDecay >= 0) || LearningRate * WeightDecay >= 1) throw new ArgumentException($"{owner}.WeightDecay must be ≥ 0 with lr·wd < 1; got {WeightDecay}.");
        if (!(MetricFloorRatio >= 0) || double.IsInfinity(MetricFloorRatio)) throw new ArgumentException($"{owner}.MetricFloorRatio must be ≥ 0 and finite; got {MetricFloorRatio}.");
        if (HistoryLength < 1) throw new ArgumentException($"{owner}.HistoryLength must be ≥ 1; got {HistoryLength}.");
        Penalty.Validate($"{owner}.Penalty");
        if (MultiplierRule is null) throw new ArgumentException($"{owner}.MultiplierRule must be set (e.g. new MeasuredDualRule()).");
        MultiplierRule.Validate($"{owner}.MultiplierRule");
        Contract?.Validate(owner);
        ActiveSet?.Validate($"{owner}.ActiveSet");
    }
}
