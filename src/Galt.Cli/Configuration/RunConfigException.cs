namespace Galt.Cli.Configuration;

/// <summary>
/// A run configuration that cannot be used: a TOML syntax error, an unknown key, a value of the wrong type or out of range,
/// an option the experiment does not take, or a file for another experiment. The message names the file and line (or the
/// flag), the key, and what was expected.
/// </summary>
public sealed class RunConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole message, beginning with <c>file:line:</c> where there is one.</param>
    /// <param name="file">The configuration file, as named; null when the fault is in the flags.</param>
    /// <param name="line">The line (1-based), or null.</param>
    /// <param name="key">The key at fault, or null.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public RunConfigException(string message, string? file = null, int? line = null, string? key = null, Exception? inner = null) : base(message, inner)
    {
        File = file;
        Line = line;
        Key = key;
    }

    /// <summary>The configuration file, as named; null when the fault is in the command-line flags.</summary>
    public string? File { get; }

    /// <summary>The line at fault (1-based), or null.</summary>
    public int? Line { get; }

    /// <summary>The key at fault, or null.</summary>
    public string? Key { get; }
}
