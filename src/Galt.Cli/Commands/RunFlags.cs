using System.CommandLine;
using Galt.Cli.Configuration;

namespace Galt.Cli.Commands;

/// <summary>Command-line flags made from run options (<see cref="RunOptions.All"/>), and the values given by them.</summary>
public sealed class RunFlags
{
    private readonly IReadOnlyList<(RunOption Option, Option Flag)> _flags;

    /// <summary>One flag per option in <paramref name="options"/>.</summary>
    public RunFlags(IEnumerable<RunOption> options) => _flags = options.Select(o => (o, o.CreateFlag())).ToList();

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var (_, flag) in _flags) command.Options.Add(flag);
    }

    /// <summary>The values of the flags given in <paramref name="parse"/>.</summary>
    public RunConfig Given(ParseResult parse) =>
        new(_flags.Select(f => (f.Option, Value: f.Option.ValueOf(parse, f.Flag))).Where(f => f.Value is not null).Select(f => new RunConfigValue(f.Option, f.Value!)));
}
