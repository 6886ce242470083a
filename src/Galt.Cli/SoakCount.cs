using System.Text.Json;
using Galt.Diagnostics;

namespace Galt.Cli;

/// <summary>
/// Inside a process that <c>galt soak</c> runs (<c>GALT_SOAK_REPORT</c> set): counts the TorchSharp objects the run lets
/// reach the finalizer (<see cref="FinalizedTorchObjects"/>) and writes them to <c>&lt;report&gt;.finalized.json</c> when
/// the command has finished — before the process exits, while the runtime's events still flow.
/// </summary>
internal sealed class SoakCount : IDisposable
{
    /// <summary>The suffix of the file beside the soak report.</summary>
    public const string Suffix = ".finalized.json";

    private readonly FinalizedTorchObjects _watch = new();
    private readonly string _path;

    private SoakCount(string path) => _path = path;

    /// <summary>A counter when the process runs under <c>galt soak</c>, else null.</summary>
    public static SoakCount? FromEnvironment() =>
        Environment.GetEnvironmentVariable("GALT_SOAK_REPORT") is { Length: > 0 } report ? new SoakCount(report + Suffix) : null;

    /// <summary>Settles the count and writes it.</summary>
    public void Dispose()
    {
        _watch.Settle();
        File.WriteAllText(_path, JsonSerializer.Serialize(new SoakFinalized(_watch.Count, _watch.ByType.ToDictionary(kv => kv.Key, kv => kv.Value),
            _watch.Others.ToDictionary(kv => kv.Key, kv => kv.Value))));
        _watch.Dispose();
    }
}

/// <summary>The finalized TorchSharp objects of one soaked process.</summary>
/// <param name="Count">Objects freed by their finalizer while holding libtorch memory.</param>
/// <param name="ByType">The same by kind.</param>
/// <param name="Others">Other finalized TorchSharp objects (construction garbage; see <see cref="FinalizedTorchObjects.Others"/>).</param>
internal sealed record SoakFinalized(long Count, Dictionary<string, long> ByType, Dictionary<string, long> Others);
