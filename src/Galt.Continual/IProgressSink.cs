namespace Galt.Continual;

/// <summary>
/// Where long work reports its progress. The library and experiments only talk to this interface; the CLI shows it
/// as Spectre.Console progress bars, tests pass <see cref="NullProgress"/>.
/// </summary>
public interface IProgressSink
{
    /// <summary>Starts a task. <paramref name="total"/> is the amount of work, or 0 when it is not known (a spinner).</summary>
    IProgressTask Start(string description, double total);
}

/// <summary>One running piece of work. Disposing it marks it finished.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Adds <paramref name="amount"/> to the work done.</summary>
    void Advance(double amount);

    /// <summary>Replaces the text shown beside the bar, e.g. with the latest loss.</summary>
    void Describe(string description);
}
