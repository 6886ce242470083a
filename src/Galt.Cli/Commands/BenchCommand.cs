using System.CommandLine;
using Galt.Experiments;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt bench &lt;benchmark&gt;</c>.</summary>
public static class BenchCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var benchmark = new Argument<string>("benchmark") { Description = "Benchmark name; 'galt list' shows them." };
        var options = new CommonOptions();
        var command = new Command("bench", "Run a user-facing benchmark and write its result.json, report.md and plots (micro-benchmarks: bench/Galt.Bench, BenchmarkDotNet).");
        command.Arguments.Add(benchmark);
        options.AddTo(command);
        var steps = new Option<int?>("--steps") { Description = "Steps (memory: the GaltOptimizer run's, default 10,000, 1,000 with --quick; the SplitChain run takes a fifth as many minibatches)." };
        command.Options.Add(steps);
        command.SetAction(parse => new RunExecution(console).Execute(
            Catalog.Benchmarks, "benchmark", parse.GetValue(benchmark)!,
            new RunSettings(parse.GetValue(options.Seed), parse.GetValue(options.Quick), parse.GetValue(options.Out)!, DataDir: null, Steps: parse.GetValue(steps))));
        return command;
    }
}
