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
        var resume = new Option<string?>("--resume")
        {
            HelpName = "run-folder",
            Description = "Continue an interrupted checkpointed run (split-mnist and safety-from-birth checkpoint by default), into its folder, with the options it was started with (its run.toml); " +
                          "finished parts are taken from its checkpoints/, the unfinished one continues from its last checkpoint, and the figures equal an uninterrupted run's.",
        };
        var interruptAt = new Option<string?>("--interrupt-at") { Hidden = true, Description = "Drill: stop the strategy run <unit key>@<step> as an interruption would." };
        command.Options.Add(resume);
        command.Options.Add(interruptAt);
        command.SetAction(parse => CommandGuard.Run<RunConfigException>(console, 2, () =>
        {
            var drill = parse.GetValue(interruptAt) is { } at ? InterruptPoint(at) : ((string, long)?)null;
            if (parse.GetValue(resume) is not { } folder)
                return new RunExecution(console).Execute(Request(parse, experiment, config, flags), recordConfig: true, interruptAt: drill);
            if (parse.GetValue(config) is not null || flags.Given(parse).Values.Count > 0)
                throw new RunConfigException($"--resume continues the run with the options it was started with ({Path.Combine(folder, Galt.Experiments.Reporting.RunConfigToml.FileName)}); give no other options.");
            string file = Path.Combine(folder, Galt.Experiments.Reporting.RunConfigToml.FileName);
            if (!File.Exists(file)) throw new RunConfigException($"--resume: '{folder}' is not a run folder (no {Galt.Experiments.Reporting.RunConfigToml.FileName}).");
            var request = RunRequest.Resolve(Catalog.Experiments, "experiment", parse.GetValue(experiment), RunConfigFile.Read(file), RunConfig.Empty);
            return new RunExecution(console).Execute(request, recordConfig: true, resumeFolder: folder, interruptAt: drill);
        }));
        return command;
    }

    private static (string, long) InterruptPoint(string text)
    {
        int at = text.LastIndexOf('@');
        if (at <= 0 || !long.TryParse(text[(at + 1)..], out long step) || step < 1)
            throw new RunConfigException($"--interrupt-at must be <unit key>@<step>, e.g. split-2/seed0/galt@5; got '{text}'.");
        return (text[..at], step);
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
