using System.CommandLine;

namespace Galt.Cli.Commands;

/// <summary>Options shared by <c>galt run</c> and <c>galt bench</c>.</summary>
public sealed class CommonOptions
{
    /// <summary>--seed N.</summary>
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for initialisation, data order and sampling.", DefaultValueFactory = _ => 0 };

    /// <summary>--quick.</summary>
    public Option<bool> Quick { get; } = new("--quick") { Description = "Fewer samples, epochs and iterations: a smoke run for tests and first looks." };

    /// <summary>--out DIR.</summary>
    public Option<string> Out { get; } = new("--out") { Description = "Folder that receives <name>-<UTC timestamp>/ with result.json, report.md and plots.", DefaultValueFactory = _ => "runs" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Seed);
        command.Options.Add(Quick);
        command.Options.Add(Out);
    }
}
