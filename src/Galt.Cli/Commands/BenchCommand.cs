using System.CommandLine;
using Galt.Cli.Configuration;
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
        // --steps sizes the memory benchmark and the constraint grid; --seeds and --variant size and filter the constraint grid
        // (other benchmarks refuse them: they do not accept the options); --executor orleans and --silos put the graph benchmark on silos.
        var flags = new RunFlags(RunOptions.All.Where(o => o.AppliesToEvery || o.Name is "steps" or "seeds" or "variant" or "executor" or "silos"));
        var command = new Command("bench", "Run a user-facing benchmark and write its result.json, report.md and plots (micro-benchmarks: bench/Galt.Bench, BenchmarkDotNet).");
        command.Arguments.Add(benchmark);
        flags.AddTo(command);
        command.SetAction(parse => CommandGuard.Run<RunConfigException>(console, 2, () =>
            new RunExecution(console).Execute(RunRequest.Resolve(Catalog.Benchmarks, "benchmark", parse.GetValue(benchmark)!, null, flags.Given(parse)), recordConfig: false)));
        return command;
    }
}
