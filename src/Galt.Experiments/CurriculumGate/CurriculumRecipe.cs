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
    /// <c>galt run curriculum-select</c> chose from <see cref="Candidates"/> by cross-validation inside train.jsonl
    /// (README, "Choosing the recipe"), without the validation split.
    /// </summary>
    public static CurriculumRecipe Default => Find("replay");

    /// <summary>The candidate named <paramref name="name"/>; an error listing the names when there is none.</summary>
    public static CurriculumRecipe Find(string name) =>
        Candidates.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no curriculum recipe named '{name}'. Known: {string.Join(", ", Candidates.Select(r => r.Name))}.", nameof(name));

    /// <summary>
    /// The candidates <c>galt run curriculum-select</c> compares, fixed before any of them was scored: the release's
    /// recipe; plus its optional action/memory/residual class weights (its runs leave them off, and the adjudication
    /// heads see one accept per two rejects in a contrast packet); plus 300 steps of stage-E mixed replay (the
    /// release's schedule names the stage but its 600-step runs never reach it); and both.
    /// </summary>
    public static IReadOnlyList<CurriculumRecipe> Candidates { get; } = new[]
    {
        Release,
        new CurriculumRecipe("class-weighted", "+ the release's optional inverse-frequency class weights on the action, memory and residual heads", new CurriculumOptions { AdjudicationClassWeights = true }),
        new CurriculumRecipe("replay", "+ 300 steps of stage-E mixed replay (900 steps)", new CurriculumOptions { Steps = 900 }),
        new CurriculumRecipe("class-weighted-replay", "both: adjudication class weights and 900 steps", new CurriculumOptions { AdjudicationClassWeights = true, Steps = 900 }),
    };
}
