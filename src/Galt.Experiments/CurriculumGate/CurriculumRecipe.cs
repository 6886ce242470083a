using Galt.Experiments.Text;
namespace Galt.Experiments.CurriculumGate;

/// <summary>A named training recipe for the curriculum model: the settings and what distinguishes them.</summary>
/// <param name="Name">Short name, used in summary keys.</param>
/// <param name="Description">What it changes relative to the release's recipe.</param>
/// <param name="Options">The settings.</param>
public sealed record CurriculumRecipe(string Name, string Description, CurriculumOptions Options)
{
    /// <summary>The release's violation-weighted recipe (spec §6.7).</summary>
    public static CurriculumRecipe Release { get; } = new("release", "the release's violation-weighted recipe (spec §6.7): 600 steps staged 80/80/440", new CurriculumOptions());

    /// <summary>
    /// The recipe <c>galt run curriculum-gate</c> uses unless <c>--recipe</c> names another: the last selection round's
    /// choice by cross-validation inside train.jsonl (how each round was declared and decided: docs/memory.md).
    /// </summary>
    public static CurriculumRecipe Default => Find("replay-cl100k");

    /// <summary>The recipe named <paramref name="name"/> (any round); an error listing the names when there is none.</summary>
    public static CurriculumRecipe Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no curriculum recipe named '{name}'. Known: {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));

    /// <summary>Selection round 1: the release's recipe, + adjudication class weights, + stage-E replay, and both.</summary>
    public static IReadOnlyList<CurriculumRecipe> RoundOne { get; } = new[]
    {
        Release,
        new CurriculumRecipe("class-weighted", "+ the release's optional inverse-frequency class weights on the action, memory and residual heads", new CurriculumOptions { AdjudicationClassWeights = true }),
        new CurriculumRecipe("replay", "+ 300 steps of stage-E mixed replay (900 steps)", new CurriculumOptions { Steps = 900 }),
        new CurriculumRecipe("class-weighted-replay", "both: adjudication class weights and 900 steps", new CurriculumOptions { AdjudicationClassWeights = true, Steps = 900 }),
    };

    /// <summary>Selection round 2: <c>replay</c> with and without word dropout (<see cref="CurriculumTokenDropout"/>).</summary>
    public static IReadOnlyList<CurriculumRecipe> RoundTwo { get; } = new[]
    {
        RoundOne[2],
        new CurriculumRecipe("replay-dropout10", "replay + word dropout 0.1 on teacher and GALT rows", new CurriculumOptions { Steps = 900, TokenDropout = 0.1 }),
        new CurriculumRecipe("replay-dropout20", "replay + word dropout 0.2 on teacher and GALT rows", new CurriculumOptions { Steps = 900, TokenDropout = 0.2 }),
    };

    /// <summary>Selection round 3: <c>replay</c>, stage-E weight averaging (<see cref="WeightAverage"/>), stage-E learning-rate decay.</summary>
    public static IReadOnlyList<CurriculumRecipe> RoundThree { get; } = new[]
    {
        RoundOne[2],
        new CurriculumRecipe("replay-swa", "replay, scored on the mean of the weights over stage E (stochastic weight averaging)", new CurriculumOptions { Steps = 900, WeightAveraging = true }),
        new CurriculumRecipe("replay-anneal", "replay with the learning rate decayed linearly to lr/300 over stage E", new CurriculumOptions { Steps = 900, AnnealReplay = true }),
    };

    /// <summary>Selection round 4: <c>replay</c>, subword tokens (<see cref="SubwordTokenizer.Cl100kBase"/>), 600 steps of stage E.</summary>
    public static IReadOnlyList<CurriculumRecipe> RoundFour { get; } = new[]
    {
        RoundOne[2],
        new CurriculumRecipe("replay-cl100k", "replay with Microsoft.ML.Tokenizers cl100k_base subword pieces instead of the release's word tokens", new CurriculumOptions { Steps = 900, Tokenizer = SubwordTokenizer.Cl100kBase }),
        new CurriculumRecipe("replay-long", "replay with 600 steps of stage-E mixed replay instead of 300 (1,200 steps)", new CurriculumOptions { Steps = 1200 }),
    };

    /// <summary>The selection rounds, in order; <c>galt run curriculum-select --round N</c> runs round N (default the last).</summary>
    public static IReadOnlyList<IReadOnlyList<CurriculumRecipe>> Rounds { get; } = new[] { RoundOne, RoundTwo, RoundThree, RoundFour };

    /// <summary>Every recipe of every round, each once, in round order.</summary>
    public static IReadOnlyList<CurriculumRecipe> All { get; } = Rounds.SelectMany(r => r).Distinct().ToArray();

    /// <summary>The candidates of round <paramref name="round"/> (1-based); an error naming the rounds there are otherwise.</summary>
    public static IReadOnlyList<CurriculumRecipe> Round(int round) =>
        round >= 1 && round <= Rounds.Count ? Rounds[round - 1]
            : throw new ArgumentOutOfRangeException(nameof(round), $"there is no selection round {round}; the rounds are 1..{Rounds.Count}.");
}
