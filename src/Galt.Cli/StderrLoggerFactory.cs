using Microsoft.Extensions.Logging;

namespace Galt.Cli;

/// <summary>
/// The library's log (<see cref="Galt.Diagnostics.GaltLog"/>) for the <c>galt</c> command: warnings and errors go to
/// stderr, one line each, so a fallback the library takes is visible beside the progress display.
/// </summary>
internal sealed class StderrLoggerFactory : ILoggerFactory
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the galt command's logger takes no providers.");

    /// <inheritdoc />
    public void Dispose() { }

    private sealed class StderrLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            Console.Error.WriteLine($"{logLevel.ToString().ToLowerInvariant()} [{category}]: {formatter(state, exception)}");
        }
    }
}
