using System.Diagnostics;
using Galt.Experiments.Data;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// <c>galt run curriculum-gate</c>: the teacher-mode curriculum model of spec §6.5–6.7 — a small causal transformer with
/// language, teacher-routing and adjudication heads, the memory-layer / violation-layer heads and the hierarchical
/// access they imply — trained on the release's <c>curriculum/train.jsonl</c> and scored on <c>validation.jsonl</c>
/// (the release does not ship its test split). Seeds 42 + --seed onward, <c>--seeds N</c> of them. Summary keys
/// <c>&lt;metric&gt;.mean</c> and <c>.std</c>. <c>--data-dir</c> names the curriculum folder; by default it is found
/// through <see cref="ReleaseData"/>. <c>--recipe NAME</c> picks one of <see cref="CurriculumRecipe.All"/> (default
/// <see cref="CurriculumRecipe.Default"/>, chosen by <c>galt run curriculum-select</c>); <c>--steps N</c> changes its step
/// count (past 600: mixed replay).
/// </summary>
public sealed class CurriculumGateExperiment : IRunnable
{
    /// <summary>The recipe when <c>--recipe</c> is not given; <c>--quick</c> shortens it (<see cref="CurriculumOptions.Shortened"/>).</summary>
    public CurriculumRecipe Recipe { get; init; } = CurriculumRecipe.Default;

    /// <inheritdoc />
    public string Name => "curriculum-gate";

    /// <inheritdoc />
    public string Description => "Teacher-mode curriculum model (spec §6.6): adjudication, residual, safety-layer and hierarchical-access heads on the release curriculum; validation metrics <metric>.mean/.std over --seeds.";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "data-dir" or "seeds" or "steps" or "recipe";

    /// <inheritdoc />
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        // A recipe outside the catalogue (tests set one) has no name --recipe could give back.
        "recipe" when CurriculumRecipe.All.Contains(Recipe) => Recipe.Name,
        "steps" => Options(RecipeOf(context), context.Quick).Steps,
        _ => null,
    };

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        var recipe = RecipeOf(context);
        string folder = CurriculumData.Folder(context);
        var options = Options(recipe, context.Quick);
        if (context.Steps is { } steps) options = options with { Steps = steps };
        var seeds = Enumerable.Range(42 + context.Seed, context.SeedCount).ToList();
        var record = new RunRecord { Experiment = Name, Title = "Teacher-mode curriculum gate (safety-indexed memory heads)", StartedUtc = DateTime.UtcNow, Seeds = seeds };

        var train = CurriculumReader.ReadSplit(folder, "train");
        var validation = CurriculumReader.ReadSplit(folder, "validation");
        var data = new CurriculumData(train, validation, options);
        record.TimingsSeconds["data"] = total.Elapsed.TotalSeconds;
        record.Data = new DataRecord
        {
            Source = Path.GetFullPath(folder), TrainCount = train.Count, TestCount = validation.Count,
            Split = $"the release's curriculum splits: train {CurriculumData.Describe(train)}; scored on validation {CurriculumData.Describe(validation)} (the release's test split is not provided)",
        };
        var trainer = new CurriculumTrainer(options);
        var weights = trainer.ClassWeights(train);
        record.Config["recipe"] = $"{recipe.Name}: {recipe.Description}";
        Configure(record, options, data.Vocabulary, weights, context.Quick);

        var runs = new List<CurriculumRunResult>();
        foreach (int seed in seeds)
        {
            runs.Add(trainer.Run(data.Train, data.Scored, data.Vocabulary.Size, seed, context.Progress));
            record.TimingsSeconds[$"seed_{seed}"] = runs[^1].TrainSeconds;
        }
        CurriculumReport.Fill(record, runs);
        record.Notes.Add("Metrics are on the validation split (32 adjudicated-memory rows, 21 of them contrast rows with layer targets; 30 teacher rows; 80 language rows); the release's reference column is its test split, which is not provided.");
        record.Notes.Add("access_acc is the hierarchical rule applied to the predicted layers (access iff the violation head says none or a layer above the memory head's); direct_access_acc is the access head itself.");
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }

    private CurriculumRecipe RecipeOf(RunContext context) => context.Recipe is { } name ? CurriculumRecipe.Find(name) : Recipe;

    private static CurriculumOptions Options(CurriculumRecipe recipe, bool quick) => quick ? recipe.Options.Shortened() : recipe.Options;

    private static string Describe(double[] weights, IReadOnlyList<string> labels) => string.Join(", ", weights.Select((w, k) => $"{labels[k]} {w:0.000}"));

    private static void Configure(RunRecord record, CurriculumOptions o, CurriculumVocabulary vocabulary, CurriculumClassWeights weights, bool quick)
    {
        record.Config["tokenizer"] = $"{vocabulary.Tokenizer.Description}; vocabulary <pad> <unk> <bos> <eos> + most frequent training tokens, {vocabulary.Size} entries (cap {o.VocabularySize}); [bos] + tokens + [eos], padded to {o.MaxLength}";
        record.Config["model"] = $"causal pre-norm transformer, hidden {o.Hidden}, {o.Layers} layer(s), {o.Heads} heads, bias-free q/k/v/o, ReLU 4× FFN, learned positions; mean-pooled heads: teacher action/state/residual, gate, action, memory, residual, memory layer, violation layer, access";
        record.Config["optimizer"] = $"AdamW without bias correction (MLX), lr {o.LearningRate}, weight decay {o.WeightDecay}, one step per batch";
        record.Config["schedule"] = o.Staged ? $"staged: language to step {o.LanguageSteps}, + teacher to {o.TeacherSteps}, all streams to {Math.Min(o.GaltSteps, o.Steps)}" + (o.Steps > o.GaltSteps ? $", mixed replay to {o.Steps}" : "") + $"; batch {o.BatchSize} shared among active streams" : $"mixed: all streams every step, batch {o.BatchSize}";
        record.Config["steps"] = o.Steps;
        record.Config["sampling"] = o.PacketBalanced ? "language and teacher rows uniform with replacement; GALT rows by whole source groups (max(1, rows/3) distinct packets or legacy rows)" : "uniform with replacement";
        record.Config["loss_weights"] = $"GALT {o.Loss.Galt}, memory layer {o.Loss.MemoryLayer}, violation layer {o.Loss.ViolationLayer}, access {o.Loss.Access}";
        record.Config["violation_class_weights"] = weights.ViolationLayer is null ? "off" : string.Join(", ", weights.ViolationLayer.Select((w, k) => $"{(k == 4 ? "none" : "L" + k)} {w:0.0000}"));
        record.Config["adjudication_class_weights"] = weights.Action is null ? "off" : $"action {Describe(weights.Action, CurriculumLabels.AdjudicationActions)}; memory {Describe(weights.Memory!, CurriculumLabels.MemoryOutcomes)}; residual {Describe(weights.Residual!, CurriculumLabels.Residuals)}";
        record.Config["weight_averaging"] = o.WeightAveraging ? $"scored on the mean of the weights over stage E (steps {o.GaltSteps + 1}–{o.Steps})" : "off";
        record.Config["learning_rate_schedule"] = o.AnnealReplay ? $"constant {o.LearningRate}, then linear decay over stage E to {o.LearningRateAt(o.Steps):G3}" : $"constant {o.LearningRate}";
        record.Config["token_dropout"] = o.TokenDropout > 0 ? $"{o.TokenDropout} on teacher and GALT training rows (tokens → <unk>)" : "off";
        record.Config["quick"] = quick;
    }
}
