using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Galt.Tests;

/// <summary>
/// Threshold checks on numbers that come out of training: accuracy, an accuracy gap, a constraint value, a loss, the
/// distance to a KKT point, the disagreement of two training paths. Training rounds differently on other CPUs
/// (libtorch picks its kernels by <c>ATEN_CPU_CAPABILITY</c>, MKL by CPU vendor and ISA), so such a number moves in its
/// last digits from machine to machine, and every check must keep a margin wider than that spread. The spread is
/// measured, not assumed: <c>tools/kernel-spread</c> runs the tests of <see cref="Category"/> under several kernel sets
/// with <c>GALT_TRAINED_METRICS</c> naming a file, every check appends its test, metric, value and bound to it as one
/// JSON line, and the tool tabulates value range against margin (docs/trained-metric-margins.md). <c>.ci/run</c> runs
/// the same tests a second time under another kernel set than the machine's own.
/// </summary>
public static class TrainedMetric
{
    /// <summary>The xunit trait value (<c>[Trait("Category", TrainedMetric.Category)]</c>) of tests that check a trained metric.</summary>
    public const string Category = "TrainedMetric";

    /// <summary>Environment variable naming the JSON-lines file the checks append to (unset: nothing is written).</summary>
    public const string LogVariable = "GALT_TRAINED_METRICS";

    private static readonly object Gate = new();

    private static readonly JsonSerializerOptions Lines = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Asserts <paramref name="value"/> ≤ <paramref name="bound"/> and records the check.</summary>
    public static void AtMost(string metric, double value, double bound, string? detail = null, [CallerFilePath] string file = "", [CallerMemberName] string test = "")
    {
        Record(file, test, metric, value, bound, "at_most");
        Assert.True(value <= bound, $"{metric} = {Show(value)}, required ≤ {Show(bound)}{(detail is null ? "" : $" ({detail})")}");
    }

    /// <summary>Asserts <paramref name="value"/> ≥ <paramref name="bound"/> and records the check.</summary>
    public static void AtLeast(string metric, double value, double bound, string? detail = null, [CallerFilePath] string file = "", [CallerMemberName] string test = "")
    {
        Record(file, test, metric, value, bound, "at_least");
        Assert.True(value >= bound, $"{metric} = {Show(value)}, required ≥ {Show(bound)}{(detail is null ? "" : $" ({detail})")}");
    }

    private static string Show(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static void Record(string file, string test, string metric, double value, double bound, string kind)
    {
        string? path = Environment.GetEnvironmentVariable(LogVariable);
        if (string.IsNullOrEmpty(path)) return;
        string line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["test"] = $"{Path.GetFileNameWithoutExtension(file)}.{test}", ["metric"] = metric, ["kind"] = kind,
            ["value"] = double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture), ["bound"] = bound,
        }, Lines);
        lock (Gate) File.AppendAllText(path, line + "\n");
    }
}
