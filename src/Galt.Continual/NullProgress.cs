namespace Galt.Continual;

/// <summary>A progress sink that shows nothing.</summary>
public sealed class NullProgress : IProgressSink, IProgressTask
{
    /// <summary>The shared instance.</summary>
    public static readonly NullProgress Instance = new();

    private NullProgress() { }

    /// <inheritdoc />
    public IProgressTask Start(string description, double total) => this;

    /// <inheritdoc />
    public void Advance(double amount) { }

    /// <inheritdoc />
    public void Describe(string description) { }

    /// <inheritdoc />
    public void Dispose() { }
}
