namespace Galt.Memory;

/// <summary>A ledger file could not be used: corrupt, foreign, from a newer schema, or a write was refused. Names the file.</summary>
public sealed class LedgerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerException(string message, Exception? inner = null) : base(message, inner) { }
}
