using Galt.Continual;

namespace Galt.Experiments.ContinualLearning;

/// <summary>All strategies' results on one stream for one seed, with the pretraining accuracy and the soft-penalty sweep.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="PretrainAccuracy">Accuracy of the pretrained network on all test data.</param>
/// <param name="Results">One per strategy, in the order run.</param>
/// <param name="Sweep">Soft-penalty weight → validation average accuracy.</param>
/// <param name="ChosenWeight">The weight used for <c>soft_penalty</c>.</param>
/// <param name="PenaltySearch">The smallest soft-penalty weight that ends feasible, and the runs that found it (null: not run).</param>
public sealed record ProtocolResult(int Seed, double PretrainAccuracy, IReadOnlyList<StrategyResult> Results, IReadOnlyList<(double Weight, double ValidationAccuracy)> Sweep, double ChosenWeight,
    PenaltySearch? PenaltySearch = null);
