using System.CommandLine;
using System.CommandLine.Help;
using Galt.Cli.Commands;
using Spectre.Console;

namespace Galt.Cli;

/// <summary>The <c>galt</c> command tree: list, run, config, bench, report, ledger, checkpoint, soak, silo.</summary>
public static class GaltCommandLine
{
    /// <summary>Builds the root command; all output goes to <paramref name="console"/>.</summary>
    public static Command Build(IAnsiConsole console)
    {
        // A plain Command named "galt" rather than RootCommand, whose name would be the assembly's (Galt.Cli).
        var root = new Command("galt",
            "galt: Graph-parallel Augmented-Lagrangian Training for TorchSharp. Runs the published experiments and " +
            "benchmarks, and writes each run's result.json, report.md and PNG plots into <out>/<name>-<UTC timestamp>/.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Subcommands.Add(ListCommand.Create(console));
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(ConfigCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        root.Subcommands.Add(ReportCommand.Create(console));
        root.Subcommands.Add(LedgerCommand.Create(console));
        root.Subcommands.Add(CheckpointCommand.Create(console));
        root.Subcommands.Add(SoakCommand.Create(console));
        root.Subcommands.Add(SiloCommand.Create(console));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; help and parse errors go to <paramref name="output"/> / <paramref name="error"/> (default: the process's).</summary>
    public static int Invoke(string[] args, IAnsiConsole console, TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration();
        if (output is not null) configuration.Output = output;
        if (error is not null) configuration.Error = error;
        return Build(console).Parse(args).Invoke(configuration);
    }
}
