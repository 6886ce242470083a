using System.CommandLine;
using Galt.Cli.Configuration;
using Galt.Experiments;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt run [experiment] [--config FILE] [options]</c>.</summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var experiment = ExperimentArgument();
        var config = ConfigOption();
        var flags = new RunFlags(RunOptions.All);
        var command = new Command("run", "Run an experiment and write result.json, report.md, run.toml and PNG plots into <out>/<name>-<UTC timestamp>/.");
        command.Arguments.Add(experiment);
        command.Options.Add(config);
        flags.AddTo(command);
        command.SetAction(parse => CommandGuard.Run<RunConfigException>(console, 2, () =>
            new RunExecution(console).Execute(Request(parse, experiment, config, flags), recordConfig: true)));
        return command;
    }

    /// <summary>The optional experiment name (a --config file may name it instead).</summary>
    internal static Argument<string?> ExperimentArgument() => new("experiment")
    {
        Description = "Experiment name; 'galt list' shows them. May be left out when the --config file names it.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>--config FILE: a TOML run configuration.</summary>
    internal static Option<string?> ConfigOption() => new("--config")
    {
        HelpName = "file",
        Description = "A TOML run configuration file (docs/run-configs.md): experiment = \"name\" and any of the options below as top-level keys " +
                      "(seeds = 3, data-dir = \"mnist\"); options given on the command line override it. 'galt config <experiment>' prints one with the defaults; every run writes its own as run.toml.",
    };

    /// <summary>The experiment and options of an invocation: its flags over its --config file.</summary>
    internal static RunRequest Request(ParseResult parse, Argument<string?> experiment, Option<string?> config, RunFlags flags) =>
        RunRequest.Resolve(Catalog.Experiments, "experiment", parse.GetValue(experiment),
            parse.GetValue(config) is { } path ? RunConfigFile.Read(path) : null, flags.Given(parse));
}
