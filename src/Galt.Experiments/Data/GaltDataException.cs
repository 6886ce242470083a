namespace Galt.Experiments.Data;

/// <summary>
/// Data could not be read or fetched: a malformed file, a failed verification, or a missing tool.
/// The message names the file or package and what was expected.
/// </summary>
public sealed class GaltDataException : Exception
{
    /// <summary>Creates the exception with a message that names the input and the problem.</summary>
    public GaltDataException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the underlying cause.</summary>
    public GaltDataException(string message, Exception inner) : base(message, inner) { }
}
