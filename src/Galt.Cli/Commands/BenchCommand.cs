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
        command.SetAction(parse => new RunExecution(console).Execute(
            Catalog.Benchmarks, "benchmark", parse.GetValue(benchmark)!,
            new RunSettings(parse.GetValue(options.Seed), parse.GetValue(options.Quick), parse.GetValue(options.Out)!, DataDir: null)));
        return command;
    }
}
