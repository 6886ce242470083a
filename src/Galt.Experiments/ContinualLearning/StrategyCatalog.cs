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

    /// <summary>
    /// The <c>--dual-rule</c> names: <c>measured</c> (the library default: the measured multiplier rule under the step
    /// contract), <c>linearized</c> (the linearised rule without the contract, the default before the contract existed)
    /// and <c>release</c> (the release's rules, no contract, no restoration: the reproduction figures).
    /// </summary>
    public static readonly IReadOnlyList<string> DualRules = new[] { "measured", "linearized", "release" };

    /// <summary>
    /// A fresh strategy by name; <paramref name="softPenaltyWeight"/> is used by <c>soft_penalty</c>,
    /// <paramref name="dualRule"/> (one of <see cref="DualRules"/>) by the GALT strategies.
    /// </summary>
    public static Strategy Create(string name, double softPenaltyWeight, string weightSelection = "given", string dualRule = "measured")
    {
        if (!DualRules.Contains(dualRule)) throw new ArgumentException($"--dual-rule must be one of {string.Join(", ", DualRules)}; got '{dualRule}'.");
        bool release = dualRule == "release";
        var restoration = release ? null : new Galt.Optim.RestorationOptions();
        var linearized = new Galt.Multipliers.LinearizedDualRule();
        var hessian = dualRule switch
        {
            "release" => GaltHessianStrategy.ReleaseOptions,
            "linearized" => GaltHessianStrategy.SplitMnistOptions with { MultiplierRule = linearized, Contract = null },
            _ => GaltHessianStrategy.SplitMnistOptions,
        };
        var galt = dualRule switch
        {
            "release" => GaltStrategy.ReleaseOptions,
            "linearized" => GaltStrategy.SplitMnistOptions with { MultiplierRule = linearized, Contract = null },
            _ => GaltStrategy.SplitMnistOptions,
        };
        return name switch
        {
            "naive" => new NaiveStrategy(),
            "ewc" => new EwcStrategy(),
            "soft_penalty" => new SoftPenaltyStrategy(softPenaltyWeight) { WeightSelection = weightSelection },
            "replay" => new ReplayStrategy(),
            "agem" => new AgemStrategy(),
            "galt" => new GaltStrategy
            {
                Options = galt, Restoration = restoration,
            },
            "galt_hessian" => new GaltHessianStrategy { Options = hessian, Restoration = restoration },
            "galt_lowbp" => new GaltLowBpStrategy { Options = hessian, Restoration = restoration },
            _ => throw new ArgumentException($"no strategy named '{name}'; known: {string.Join(", ", Names)}."),
        };
    }
}
