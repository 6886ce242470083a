using Galt.Experiments.Text;
namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The curriculum run's settings; the defaults are the release's violation-weighted recipe (spec §6.7): 600 steps,
/// staged 80/80/440, batch 24, hidden 96, 1 layer, 4 heads, max length 128, vocabulary 12,000, AdamW lr 3e-4 wd 0.01
/// without bias correction, packet-balanced sampling, violation-layer class weights (clip 4), layer-head weights 1.
/// </summary>
public sealed record CurriculumOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Rows per step, shared among the active streams.</summary>
    public int BatchSize { get; init; } = 24;

    /// <summary>Last step of the language-only stage.</summary>
    public int LanguageSteps { get; init; } = 80;

    /// <summary>Last step of the language + teacher stage.</summary>
    public int TeacherSteps { get; init; } = 160;

    /// <summary>Last step of the all-streams stage D; later steps are stage E, mixed replay (the same streams).</summary>
    public int GaltSteps { get; init; } = 600;

    /// <summary>Staged schedule (true) or all streams at every step (false).</summary>
    public bool Staged { get; init; } = true;

    /// <summary>Model width.</summary>
    public int Hidden { get; init; } = 96;

    /// <summary>Encoder layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Encoded length (bos + tokens + eos, padded).</summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Vocabulary cap, specials included.</summary>
    public int VocabularySize { get; init; } = 12_000;

    /// <summary>
    /// How row texts are split into tokens: the release's <see cref="WordTokenizer"/> (default), or, e.g.,
    /// <see cref="SubwordTokenizer.Cl100kBase"/> (not in the release's recipe). The vocabulary is built from
    /// the training rows with this tokenizer either way.
    /// </summary>
    public ITextTokenizer Tokenizer { get; init; } = WordTokenizer.Release;

    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Draw GALT rows by whole source groups.</summary>
    public bool PacketBalanced { get; init; } = true;

    /// <summary>Weight the violation-layer loss by inverse class frequency.</summary>
    public bool ViolationClassWeights { get; init; } = true;

    /// <summary>
    /// Also weight the action, memory and residual losses by inverse class frequency over the adjudicated-memory rows
    /// (the release's optional <c>enable_galt_class_weights</c>; off in its runs).
    /// </summary>
    public bool AdjudicationClassWeights { get; init; }

    /// <summary>
    /// Chance that a word token of a teacher or GALT training row is replaced by &lt;unk&gt; (word dropout,
    /// <see cref="CurriculumTokenDropout"/>; not in the release's recipe); 0 = none.
    /// </summary>
    public double TokenDropout { get; init; }

    /// <summary>
    /// Evaluate the mean of the weights over stage E (stochastic weight averaging, <see cref="WeightAverage"/>;
    /// not in the release's recipe): every step after <see cref="GaltSteps"/> adds its weights to an equal-weight mean,
    /// and validation during stage E and after the last step scores that mean. Training itself is unchanged. Needs a
    /// stage E (staged, <see cref="Steps"/> &gt; <see cref="GaltSteps"/>).
    /// </summary>
    public bool WeightAveraging { get; init; }

    /// <summary>
    /// Decay the learning rate linearly over stage E, from <see cref="LearningRate"/> at its first step to
    /// <see cref="LearningRate"/>/(its length) at the last (<see cref="LearningRateAt"/>; not in the release's recipe).
    /// Needs a stage E (staged, <see cref="Steps"/> &gt; <see cref="GaltSteps"/>).
    /// </summary>
    public bool AnnealReplay { get; init; }

    /// <summary>Whether the run has a stage E: staged, with more <see cref="Steps"/> than <see cref="GaltSteps"/>.</summary>
    public bool HasReplayStage => Staged && Steps > GaltSteps;

    /// <summary>The learning rate of 1-based step <paramref name="step"/>: constant, except in stage E when <see cref="AnnealReplay"/> is on.</summary>
    public double LearningRateAt(int step) =>
        AnnealReplay && HasReplayStage && step > GaltSteps
            ? LearningRate * (Steps - Math.Min(step, Steps) + 1) / (Steps - GaltSteps)
            : LearningRate;

    /// <summary>Ceiling of a class weight before normalisation.</summary>
    public double ClassWeightClip { get; init; } = 4.0;

    /// <summary>Weights of the GALT loss terms.</summary>
    public CurriculumLossWeights Loss { get; init; } = new();

    /// <summary>Validation every this many steps (and after step 1); 0 = steps / 6.</summary>
    public int EvaluateEvery { get; init; }

    /// <summary>
    /// A smoke-run version (<c>--quick</c>): a fifth of the steps, staged 16 / 32 / 120 (stage E after 120, as long as
    /// the recipe's replay is), validation every 40 steps.
    /// </summary>
    public CurriculumOptions Shortened() => this with { Steps = Math.Max(1, Steps / 5), LanguageSteps = 16, TeacherSteps = 32, GaltSteps = 120, EvaluateEvery = 40 };

    /// <summary>Checks the settings; the message names the bad one.</summary>
    public void Validate()
    {
        void Positive(int value, string name) { if (value < 1) throw new ArgumentOutOfRangeException(name, $"{name} must be at least 1; got {value}."); }
        Positive(Steps, nameof(Steps));
        Positive(BatchSize, nameof(BatchSize));
        Positive(Hidden, nameof(Hidden));
        Positive(Layers, nameof(Layers));
        Positive(Heads, nameof(Heads));
        if (Hidden % Heads != 0) throw new ArgumentException($"hidden width {Hidden} must be a multiple of the head count {Heads}.");
        if (Tokenizer is null) throw new ArgumentNullException(nameof(Tokenizer), "Tokenizer must be set (the release's is WordTokenizer.Release).");
        if (MaxLength < 3) throw new ArgumentOutOfRangeException(nameof(MaxLength), $"MaxLength must be at least 3; got {MaxLength}.");
        if (!(TokenDropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(TokenDropout), $"TokenDropout must be in [0, 1); got {TokenDropout}.");
        foreach (var (on, name) in new[] { (WeightAveraging, nameof(WeightAveraging)), (AnnealReplay, nameof(AnnealReplay)) })
            if (on && !HasReplayStage)
                throw new ArgumentException($"{name} acts on stage E (the steps after GaltSteps = {GaltSteps} of a staged run), but this run has none " +
                                            $"(Steps = {Steps}{(Staged ? "" : ", mixed schedule")}); give more steps than {GaltSteps} or turn {name} off.");
        if (EvaluateEvery < 0) throw new ArgumentOutOfRangeException(nameof(EvaluateEvery), $"EvaluateEvery must be ≥ 0; got {EvaluateEvery}.");
    }
}
