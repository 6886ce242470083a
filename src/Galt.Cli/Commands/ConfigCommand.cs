using System.CommandLine;
using Galt.Cli.Configuration;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt config &lt;experiment&gt; [--config FILE] [options]</c>: prints the effective run configuration as TOML.</summary>
public static class ConfigCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var experiment = RunCommand.ExperimentArgument();
        var config = RunCommand.ConfigOption();
        var flags = new RunFlags(RunOptions.All);
        var command = new Command("config",
            "Print the run configuration of an experiment as TOML, with each option's description: the defaults, or what the --config file and the options given make of them. " +
            "Save it (galt config split-mnist > run.toml), edit it, and run it with 'galt run --config run.toml'.");
        command.Arguments.Add(experiment);
        command.Options.Add(config);
        flags.AddTo(command);
        command.SetAction(parse => CommandGuard.Run<RunConfigException>(console, 2, () =>
        {
            var request = RunCommand.Request(parse, experiment, config, flags);
            // Plain text on the invocation's output, not the console: Spectre would wrap long lines and break the TOML.
            parse.InvocationConfiguration.Output.Write(EffectiveRunConfig.Resolve(request.Runnable, request.Given, absolutePaths: false).ToDescribedToml());
            return 0;
        }));
        return command;
    }
}
