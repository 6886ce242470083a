namespace Galt.Cli.Configuration;

/// <summary>One given value of a run option, and where it was given: a line of a run configuration file, or a flag.</summary>
/// <param name="Option">The option.</param>
/// <param name="Value">The value: an <see cref="int"/>, <see cref="bool"/> or <see cref="string"/> as <see cref="RunOption.Type"/> says.</param>
/// <param name="File">The configuration file it came from, as named to the parser; null for a command-line flag.</param>
/// <param name="Line">Its line in <paramref name="File"/> (1-based); 0 for a flag.</param>
public sealed record RunConfigValue(RunOption Option, object Value, string? File = null, int Line = 0)
{
    /// <summary>Where the value was given, as error messages begin: <c>run.toml:3: key 'seeds'</c> or <c>--seeds</c>.</summary>
    public string Origin => File is null ? Option.Flag : $"{File}:{Line}: key '{Option.Name}'";

    /// <summary>An error naming where the value was given and <paramref name="problem"/> (e.g. "must be at least 1; got 0").</summary>
    public RunConfigException Error(string problem) => new($"{Origin} {problem}.", File, File is null ? null : Line, Option.Name);
}
