// Reads the JSON lines that tests write through TrainedMetric (one file per kernel set, GALT_TRAINED_METRICS; the
// first file is the machine's own kernels) and prints, per trained-metric check, its value on every kernel set, the
// spread (max − min), the margin (distance to the bound under the machine's own kernels), the worst margin over the
// sets, and whether the margin exceeds the spread with every set passing. Exit 1 when any check does not.
// Usage: dotnet run tools/kernel-spread-table.cs -- <set>.jsonl ...   (tools/kernel-spread calls it)
using System.Globalization;
using System.Text.Json;

if (args.Length == 0) { Console.Error.WriteLine("usage: kernel-spread-table <set>.jsonl ..."); return 2; }
var sets = args.Select(a => Path.GetFileNameWithoutExtension(a)).ToList();
var checks = new SortedDictionary<(string Test, string Metric), (string Kind, double Bound, Dictionary<string, double> Values)>();
foreach (var file in args)
{
    string set = Path.GetFileNameWithoutExtension(file);
    foreach (var line in File.ReadLines(file).Where(l => l.Length > 0))
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        var key = (r.GetProperty("test").GetString()!, r.GetProperty("metric").GetString()!);
        double value = r.GetProperty("value").ValueKind == JsonValueKind.Number ? r.GetProperty("value").GetDouble() : double.NaN;
        string kind = r.GetProperty("kind").GetString()!;
        double bound = r.GetProperty("bound").GetDouble();
        if (!checks.TryGetValue(key, out var entry)) checks[key] = entry = (kind, bound, new Dictionary<string, double>());
        else if (entry.Kind != kind || entry.Bound != bound)
            throw new InvalidDataException($"{file}: {key.Item1} / {key.Item2} has bound {kind} {bound} here but {entry.Kind} {entry.Bound} in another set.");
        entry.Values[set] = value;
    }
}

static string G(double v) => double.IsNaN(v) ? "—" : v.ToString("G4", CultureInfo.InvariantCulture);
// The first file is the machine's own kernel set: its distance to the bound is the margin a developer sees here, and it
// must exceed the spread across the sets, so that another machine, rounding anywhere within that spread, still passes.
string own = sets[0];
Console.WriteLine($"| test | metric | bound | {string.Join(" | ", sets)} | spread | margin ({own}) | worst margin | margin > spread |");
Console.WriteLine($"|---|---|---|{string.Concat(sets.Select(_ => "---|"))}---|---|---|---|");
int thin = 0, missing = 0;
foreach (var ((test, metric), (kind, bound, values)) in checks)
{
    var seen = values.Values.ToList();
    double spread = seen.Max() - seen.Min();
    double Distance(double v) => kind == "at_most" ? bound - v : v - bound;
    double margin = values.TryGetValue(own, out var mine) ? Distance(mine) : double.NaN;
    double worst = seen.Min(Distance);
    bool complete = sets.All(values.ContainsKey);
    bool ok = complete && seen.All(double.IsFinite) && margin > spread && worst >= 0;
    if (!complete) missing++;
    else if (!ok) thin++;
    Console.WriteLine($"| {test} | {metric} | {(kind == "at_most" ? "≤" : "≥")} {G(bound)} | {string.Join(" | ", sets.Select(s => values.TryGetValue(s, out var v) ? G(v) : "not run"))} | {G(spread)} | {G(margin)} | {G(worst)} | {(ok ? "yes" : complete ? "**no**" : "incomplete")} |");
}
Console.WriteLine();
Console.WriteLine($"{checks.Count} checks over {sets.Count} kernel sets: {checks.Count - thin - missing} with a margin wider than the spread, {thin} thinner or failing, {missing} not run under every set.");
return thin + missing == 0 ? 0 : 1;
