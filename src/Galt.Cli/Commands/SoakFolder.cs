using System.Globalization;
using System.Text.Json;
using Galt.Experiments.Reporting;

namespace Galt.Cli.Commands;

/// <summary>
/// A soak's folder: the settings it was started with (<c>soak.json</c>), each run's child folder and log, the start of
/// each leg of a run (<c>run-i.legs</c>) and each run's recorded ending (<c>run-i.result.json</c>), so that a soak
/// stopped from outside — or whose run was interrupted at a checkpoint — continues with <c>galt soak --resume</c> under
/// the same stress. A long soak outlives one sitting this way; each resumption is a leg, and the report says how many.
/// </summary>
internal sealed class SoakFolder
{
    private const string SettingsFile = "soak.json";

    private SoakFolder(string path, DateTime started)
    {
        Path = path;
        Started = started;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>When the soak's first leg started (UTC).</summary>
    public DateTime Started { get; }

    /// <summary>A fresh folder under <see cref="SoakSettings.OutRoot"/> holding <paramref name="settings"/>.</summary>
    public static SoakFolder Create(SoakSettings settings)
    {
        var started = DateTime.UtcNow;
        string path = RunDirectory.Create(settings.OutRoot, $"soak-{settings.Experiment}", started);
        File.WriteAllText(System.IO.Path.Combine(path, SettingsFile), JsonSerializer.Serialize(new Stored(settings, started)));
        return new SoakFolder(path, started);
    }

    /// <summary>The settings a soak in <paramref name="path"/> was started with; a clear error when it is not a soak folder.</summary>
    public static SoakSettings ReadSettings(string path) => ReadStored(path).Settings;

    /// <summary>Opens the soak in <paramref name="path"/> to continue it.</summary>
    public static SoakFolder Open(string path) => new(path, ReadStored(path).Started);

    private static Stored ReadStored(string path)
    {
        string file = System.IO.Path.Combine(path, SettingsFile);
        if (!File.Exists(file)) throw new ArgumentException($"--resume: '{path}' is not a soak folder (no {SettingsFile}).");
        try
        {
            return JsonSerializer.Deserialize<Stored>(File.ReadAllText(file)) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"--resume: {file} cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>Where run <paramref name="index"/>'s child writes its run folder.</summary>
    public string RunOut(int index) => System.IO.Path.Combine(Path, $"run-{index + 1}");

    /// <summary>Run <paramref name="index"/>'s log (every leg appends to it).</summary>
    public string Log(int index) => System.IO.Path.Combine(Path, $"run-{index + 1}.log");

    /// <summary>The run folder the child of run <paramref name="index"/> made, or null when it made none.</summary>
    public string? ChildRunFolder(int index)
    {
        string root = RunOut(index);
        if (!Directory.Exists(root)) return null;
        var folders = Directory.GetDirectories(root);
        return folders.Length == 1 && File.Exists(System.IO.Path.Combine(folders[0], RunConfigToml.FileName)) ? folders[0] : null;
    }

    /// <summary>Run <paramref name="index"/>'s recorded ending, or null when no leg of it was recorded (it never ran, or the soak was stopped while it ran).</summary>
    public SoakRunResult? Result(int index)
    {
        string file = ResultFile(index);
        return File.Exists(file) ? JsonSerializer.Deserialize<SoakRunResult>(File.ReadAllText(file)) : null;
    }

    /// <summary>Records run <paramref name="result"/>'s ending.</summary>
    public void Record(SoakRunResult result) => File.WriteAllText(ResultFile(result.Run - 1), JsonSerializer.Serialize(result));

    /// <summary>
    /// Starts a leg of run <paramref name="index"/>: its number (1 for a fresh run) and the seconds its earlier legs ran.
    /// Each line of <c>run-i.legs</c> is a leg's start and, once the next leg starts, its length: from its start to the
    /// log's last write (the leg's last output), so the time between sittings is not counted.
    /// </summary>
    public (int Leg, double EarlierSeconds) BeginLeg(int index)
    {
        string file = System.IO.Path.Combine(Path, $"run-{index + 1}.legs");
        var legs = new List<(DateTime Start, double Seconds)>();
        // Without the run folder a first leg made, there is nothing to resume: the run starts afresh.
        if (File.Exists(file) && ChildRunFolder(index) is not null)
            foreach (var line in File.ReadAllLines(file).Where(l => l.Length > 0))
            {
                var parts = line.Split(' ');
                legs.Add((DateTime.Parse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    parts.Length > 1 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : double.NaN));
            }
        if (legs.Count > 0 && double.IsNaN(legs[^1].Seconds))
        {
            var lastWrite = File.Exists(Log(index)) ? File.GetLastWriteTimeUtc(Log(index)) : legs[^1].Start;
            legs[^1] = (legs[^1].Start, Math.Max(0, (lastWrite - legs[^1].Start).TotalSeconds));
        }
        double earlier = legs.Sum(l => l.Seconds);
        legs.Add((DateTime.UtcNow, double.NaN));
        File.WriteAllLines(file, legs.Select(l => double.IsNaN(l.Seconds)
            ? l.Start.ToString("O", CultureInfo.InvariantCulture)
            : $"{l.Start.ToString("O", CultureInfo.InvariantCulture)} {l.Seconds.ToString("R", CultureInfo.InvariantCulture)}"));
        return (legs.Count, earlier);
    }

    private string ResultFile(int index) => System.IO.Path.Combine(Path, $"run-{index + 1}.result.json");

    /// <summary>What soak.json holds.</summary>
    private sealed record Stored(SoakSettings Settings, DateTime Started);
}
