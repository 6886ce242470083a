using System.CommandLine;
using Galt.Experiments;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary><c>galt list</c>: every experiment and benchmark with its one-line description.</summary>
public static class ListCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("list", "List the experiments ('galt run <name>') and benchmarks ('galt bench <name>') with one-line descriptions.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("kind").AddColumn("name").AddColumn("what it does");
            foreach (var e in Catalog.Experiments) table.AddRow("experiment", e.Name, Markup.Escape(e.Description));
            foreach (var b in Catalog.Benchmarks) table.AddRow("benchmark", b.Name, Markup.Escape(b.Description));
            console.Write(table);
            return 0;
        });
        return command;
    }
}
