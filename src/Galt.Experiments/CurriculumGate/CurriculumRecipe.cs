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
    /// The recipe <c>galt run curriculum-gate</c> uses unless <c>--recipe</c> names another: the one
    /// <c>galt run curriculum-select</c> chose by cross-validation inside train.jsonl (README, "Choosing the recipe"),
    /// without the validation split: <c>replay</c> in round 1, kept in rounds 2 and 3, then <c>replay-cl100k</c> in
    /// round 4 (<see cref="RoundFour"/>).
    /// </summary>
    public static CurriculumRecipe Default => Find("replay-cl100k");

    /// <summary>The recipe named <paramref name="name"/> (any round); an error listing the names when there is none.</summary>
    public static CurriculumRecipe Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no curriculum recipe named '{name}'. Known: {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));

    /// <summary>
    /// Round 1 of <c>galt run curriculum-select</c>, fixed before any candidate was scored: the release's recipe; plus its
    /// optional action/memory/residual class weights (its runs leave them off, and the adjudication heads see one
    /// accept per two rejects in a contrast packet); plus 300 steps of stage-E mixed replay (the release's schedule
    /// names the stage but its 600-step runs never reach it); and both. It chose <c>replay</c>.
    /// </summary>
    public static IReadOnlyList<CurriculumRecipe> RoundOne { get; } = new[]
    {
        Release,
        new CurriculumRecipe("class-weighted", "+ the release's optional inverse-frequency class weights on the action, memory and residual heads", new CurriculumOptions { AdjudicationClassWeights = true }),
        new CurriculumRecipe("replay", "+ 300 steps of stage-E mixed replay (900 steps)", new CurriculumOptions { Steps = 900 }),
        new CurriculumRecipe("class-weighted-replay", "both: adjudication class weights and 900 steps", new CurriculumOptions { AdjudicationClassWeights = true, Steps = 900 }),
    };

    /// <summary>
    /// Round 2, declared after round 1's recipe had been scored once on the validation split (README, "Choosing the
    /// recipe"): round 1's choice <c>replay</c> against the same recipe with word dropout on the teacher and GALT rows
    /// (<see cref="CurriculumTokenDropout"/>) at 0.1 and 0.2. Dropout is aimed at one failure seen there, a positive
    /// write phrased unlike every training positive, and is judged, like round 1, only on folds of train.jsonl.
    /// With seed 42 per fold it chose <c>replay-dropout10</c>; seed 43 reversed that, and pooled over both seeds
    /// (<c>--seeds 2</c>) <c>replay</c> ranks first, so the default stayed <c>replay</c> (decided before either dropout
    /// recipe was scored on validation).
    /// </summary>
    public static IReadOnlyList<CurriculumRecipe> RoundTwo { get; } = new[]
    {
        RoundOne[2],
        new CurriculumRecipe("replay-dropout10", "replay + word dropout 0.1 on teacher and GALT rows", new CurriculumOptions { Steps = 900, TokenDropout = 0.1 }),
        new CurriculumRecipe("replay-dropout20", "replay + word dropout 0.2 on teacher and GALT rows", new CurriculumOptions { Steps = 900, TokenDropout = 0.2 }),
    };

    /// <summary>
    /// Round 3, declared after round 2 and before any of its new candidates was scored: <c>replay</c> against two
    /// remedies for a prediction that flips with the seed (rounds 1–2 and validation show rows right for one seed and
    /// wrong for the next; with a constant learning rate and 2–6 adjudication rows per step the final weights carry the
    /// noise of the last few packets drawn): stochastic weight averaging over stage E (<see cref="Optim.WeightAverage"/>)
    /// and a linear learning-rate decay over stage E. Selection rule, fixed with the candidates: the usual ranking
    /// pooled over two seeds per fold, <c>galt run curriculum-select --round 3 --seeds 2</c>. It chose <c>replay</c>
    /// (bar mean 0.978 against 0.975 and 0.976; each seed alone agrees), so the default stayed <c>replay</c>.
    /// </summary>
    public static IReadOnlyList<CurriculumRecipe> RoundThree { get; } = new[]
    {
        RoundOne[2],
        new CurriculumRecipe("replay-swa", "replay, scored on the mean of the weights over stage E (stochastic weight averaging)", new CurriculumOptions { Steps = 900, WeightAveraging = true }),
        new CurriculumRecipe("replay-anneal", "replay with the learning rate decayed linearly to lr/300 over stage E", new CurriculumOptions { Steps = 900, AnnealReplay = true }),
    };

    /// <summary>
    /// Round 4, declared after round 3 and before any of its new candidates was scored: rounds 1–3 showed the held-out
    /// mistakes to be the same rows whatever the schedule (semantic misses on concepts absent from training), so round 4
    /// changes what the model reads and how long it replays: <c>replay</c> against the same recipe with subword tokens
    /// (<see cref="Galt.Data.SubwordTokenizer.Cl100kBase"/>, vocabulary again the 12,000 most frequent training pieces;
    /// about 1.04 pieces per word token on GALT rows: at length 128 no row loses its candidate, and 51 of 252 training
    /// rows lose the end of their query, against 46 with word tokens)
    /// and against 600 steps of stage E instead of 300 (1,200 steps). Selection rule, fixed with the candidates: the
    /// usual ranking pooled over two seeds per fold, <c>galt run curriculum-select --round 4 --seeds 2</c>. It chose
    /// <c>replay-cl100k</c> (hard-violation recall 0.983 against 0.967 for both others; bar mean 0.982 against 0.978 and
    /// 0.977; each seed alone agrees), which became the default before it was scored on validation.
    /// </summary>
    public static IReadOnlyList<CurriculumRecipe> RoundFour { get; } = new[]
    {
        RoundOne[2],
        new CurriculumRecipe("replay-cl100k", "replay with Microsoft.ML.Tokenizers cl100k_base subword pieces instead of the release's word tokens", new CurriculumOptions { Steps = 900, Tokenizer = Galt.Data.SubwordTokenizer.Cl100kBase }),
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
