using Galt.Continual;
using Galt.Continual.Strategies;

namespace Galt.Experiments.ContinualLearning;

/// <summary>The strategies the Split-MNIST experiment compares, in report order.</summary>
public static class StrategyCatalog
{
    /// <summary>Every strategy name; each gets summary keys &lt;name&gt;.avg_accuracy, .forgetting, .bwt.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "naive", "ewc", "soft_penalty", "replay", "agem", "galt", "galt_hessian", "galt_lowbp" };

    /// <summary>Soft-penalty weights swept on the validation split (issue: {0.1, 1, 10, 100}).</summary>
    public static readonly IReadOnlyList<double> SoftPenaltyWeights = new[] { 0.1, 1, 10, 100 };

    /// <summary>A fresh strategy by name; <paramref name="softPenaltyWeight"/> is used by <c>soft_penalty</c>.</summary>
    public static Strategy Create(string name, double softPenaltyWeight, string weightSelection = "given") => name switch
    {
        "naive" => new NaiveStrategy(),
        "ewc" => new EwcStrategy(),
        "soft_penalty" => new SoftPenaltyStrategy(softPenaltyWeight) { WeightSelection = weightSelection },
        "replay" => new ReplayStrategy(),
        "agem" => new AgemStrategy(),
        "galt" => new GaltStrategy(),
        "galt_hessian" => new GaltHessianStrategy(),
        "galt_lowbp" => new GaltLowBpStrategy(),
        _ => throw new ArgumentException($"no strategy named '{name}'; known: {string.Join(", ", Names)}."),
    };
}
