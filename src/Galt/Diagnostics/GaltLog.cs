using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galt.Diagnostics;

/// <summary>
/// Where the library's warnings and fallbacks go (a path that falls back, a constraint the step cannot act on): set
/// <see cref="LoggerFactory"/> once at startup, e.g. to your host's factory. The library never writes to the console;
/// until a factory is set, messages are discarded. The <c>galt</c> command sets one that writes warnings to stderr.
/// </summary>
public static class GaltLog
{
    private static ILoggerFactory _factory = NullLoggerFactory.Instance;

    /// <summary>The factory the library's loggers come from (default: discards).</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => _factory;
        set => _factory = value ?? throw new ArgumentNullException(nameof(value), "use NullLoggerFactory.Instance to discard messages.");
    }

    /// <summary>A logger for <paramref name="category"/> from the current factory.</summary>
    public static ILogger For(string category) => _factory.CreateLogger(category);
}
