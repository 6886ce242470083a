namespace Galt.Cli.Configuration;

/// <summary>The value type of a run option, on the command line and in a run configuration file.</summary>
public enum RunOptionType
{
    /// <summary>A 32-bit integer (a TOML integer).</summary>
    Integer,

    /// <summary>A flag: true or false (a TOML boolean; on the command line, given alone it means true).</summary>
    Boolean,

    /// <summary>A non-empty string (a TOML string).</summary>
    String,

    /// <summary>A folder path (a TOML string), relative to the current directory; a run records it in full.</summary>
    Path,
}
