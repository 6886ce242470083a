namespace Galt.Fuzz;

/// <summary>A reader misbehaved without throwing an unexpected exception: a refusal that does not name the input, or an accepted input that fails a harness check.</summary>
internal sealed class FuzzFinding : Exception
{
    /// <summary>Creates the finding.</summary>
    public FuzzFinding(string message, Exception? inner = null) : base(message, inner) { }
}
