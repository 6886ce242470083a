using Galt.Multipliers;
using Galt.Optim;

namespace Galt.Experiments.Constrained;

/// <summary>The optimizer settings and step budgets used on the KKT problems (by <c>kkt-demo</c> and the tests).</summary>
public static class KktSettings
{
    /// <summary>GaltOptimizer steps.</summary>
    public const int GaltSteps = 2500;

    /// <summary>AlHessianOptimizer steps.</summary>
    public const int HessianSteps = 1500;

    /// <summary>GaltOptimizer: lr 0.02, no weight decay (it would move the optimum), ρ_P ≤ 5, ρ_I 1, ρ_a 0.1, K_in 5.</summary>
    public static GaltOptions Galt => new()
    {
        LearningRate = 0.02, WeightDecay = 0, RhoAnchor = 0.1, OuterStepFrequency = 5,
        Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 5),
    };

    /// <summary>
    /// AlHessianOptimizer: lr 0.02, no weight decay, ρ ≤ 2, diminishing dual steps (spec §1.2 dual_step_diminish): a
    /// constant ρ_dual of up to 1 per step outruns the primal at this lr and λ cycles around λ* instead of settling.
    /// </summary>
    public static AlHessianOptions Hessian => new()
    {
        LearningRate = 0.02, WeightDecay = 0, Penalty = new PenaltySchedule(Initial: 1, Floor: 1, Ceiling: 2),
    };
}
