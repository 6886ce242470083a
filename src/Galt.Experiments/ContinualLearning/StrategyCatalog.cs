using Galt.Continual;
using Galt.Continual.Strategies;
using Galt.Optim;

namespace Galt.Experiments.ContinualLearning;

/// <summary>The strategies the Split-MNIST experiment compares, in report order.</summary>
public static class StrategyCatalog
{
    /// <summary>Every strategy name; each gets summary keys &lt;name&gt;.avg_accuracy, .forgetting, .bwt.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "naive", "ewc", "soft_penalty", "replay", "agem", "galt", "galt_hessian", "galt_lowbp" };

    /// <summary>The GALT strategies (those with a multiplier rule).</summary>
    public static readonly IReadOnlyList<string> ConstrainedNames = new[] { "galt", "galt_hessian", "galt_lowbp" };

    /// <summary>Soft-penalty weights swept on the validation split (issue: {0.1, 1, 10, 100}).</summary>
    public static readonly IReadOnlyList<double> SoftPenaltyWeights = new[] { 0.1, 1, 10, 100 };

    /// <summary>The <c>--dual-rule</c> names: the library default, and the release's rules (today's reproduction figures).</summary>
    public static readonly IReadOnlyList<string> DualRules = new[] { "linearized", "release" };

    /// <summary>
    /// A fresh strategy by name; <paramref name="softPenaltyWeight"/> is used by <c>soft_penalty</c>,
    /// <paramref name="dualRule"/> ("linearized" or "release") by the GALT strategies.
    /// </summary>
    public static Strategy Create(string name, double softPenaltyWeight, string weightSelection = "given", string dualRule = "linearized")
    {
        bool release = dualRule switch
        {
            "linearized" => false,
            "release" => true,
            _ => throw new ArgumentException($"--dual-rule must be one of {string.Join(", ", DualRules)}; got '{dualRule}'."),
        };
        var restoration = release ? null : new Galt.Optim.RestorationOptions();
        var hessian = release ? GaltHessianStrategy.SplitMnistOptions with { LinearizedDual = null } : GaltHessianStrategy.SplitMnistOptions;
        return name switch
        {
            "naive" => new NaiveStrategy(),
            "ewc" => new EwcStrategy(),
            "soft_penalty" => new SoftPenaltyStrategy(softPenaltyWeight) { WeightSelection = weightSelection },
            "replay" => new ReplayStrategy(),
            "agem" => new AgemStrategy(),
            "galt" => new GaltStrategy
            {
                Options = release ? GaltStrategy.SplitMnistOptions with { LinearizedDual = null } : GaltStrategy.SplitMnistOptions, Restoration = restoration,
            },
            "galt_hessian" => new GaltHessianStrategy { Options = hessian, Restoration = restoration },
            "galt_lowbp" => new GaltLowBpStrategy { Options = hessian, Restoration = restoration },
            _ => throw new ArgumentException($"no strategy named '{name}'; known: {string.Join(", ", Names)}."),
        };
    }
}
