using Galt.Experiments;

namespace Galt.Cli.Configuration;

/// <summary>
/// Run options as given, by a configuration file or by command-line flags: only what was given, each value with where it
/// came from. <see cref="Over"/> layers flags over a file; <see cref="EffectiveRunConfig"/> adds the defaults.
/// </summary>
public sealed class RunConfig
{
    /// <summary>Creates a configuration from given values (at most one per option).</summary>
    /// <param name="values">The values.</param>
    /// <param name="experiment">The experiment a file names (its <c>experiment</c> key); null when none.</param>
    /// <param name="file">The file, as named; null for flags.</param>
    /// <param name="experimentLine">The line of the <c>experiment</c> key (1-based); 0 when none.</param>
    public RunConfig(IEnumerable<RunConfigValue> values, string? experiment = null, string? file = null, int experimentLine = 0)
    {
        Values = values.ToList();
        var duplicate = Values.GroupBy(v => v.Option.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"the run option '{duplicate.Key}' is given {duplicate.Count()} times; a configuration holds each once.", nameof(values));
        Experiment = experiment;
        File = file;
        ExperimentLine = experimentLine;
    }

    /// <summary>No options given.</summary>
    public static RunConfig Empty { get; } = new(Array.Empty<RunConfigValue>());

    /// <summary>The given values, in the order given.</summary>
    public IReadOnlyList<RunConfigValue> Values { get; }

    /// <summary>The experiment the file names, or null.</summary>
    public string? Experiment { get; }

    /// <summary>The file these values (or, after <see cref="Over"/>, some of them) came from, as named; null for command-line flags alone.</summary>
    public string? File { get; }

    /// <summary>The line of the <c>experiment</c> key (1-based); 0 when there is none.</summary>
    public int ExperimentLine { get; }

    /// <summary>The value given for <paramref name="option"/>, or null.</summary>
    public object? ValueOf(RunOption option) => Values.FirstOrDefault(v => v.Option == option)?.Value;

    /// <summary>The value given for the option named <paramref name="name"/>, or null.</summary>
    public object? ValueOf(string name) => Values.FirstOrDefault(v => v.Option.Name == name)?.Value;

    /// <summary>These values over <paramref name="lower"/>'s: an option given in both takes this one's value; the experiment is <paramref name="lower"/>'s unless this names one.</summary>
    public RunConfig Over(RunConfig lower) =>
        new(lower.Values.Where(v => ValueOf(v.Option) is null).Concat(Values), Experiment ?? lower.Experiment,
            File ?? lower.File, Experiment is null ? lower.ExperimentLine : ExperimentLine);

    /// <summary>The same values with paths made absolute (<see cref="RunOption.Normalize"/>); throws naming a path that cannot be one.</summary>
    public RunConfig Normalized() => new(Values.Select(NormalizedValue), Experiment, File, ExperimentLine);

    private static RunConfigValue NormalizedValue(RunConfigValue value)
    {
        try
        {
            return value with { Value = value.Option.Normalize(value.Value) };
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw value.Error($"is not a usable path: {e.Message}");
        }
    }

    /// <summary>Throws naming the first value that <paramref name="runnable"/> does not take, that is out of range, or that is not a usable path.</summary>
    public void Check(IRunnable runnable, string kind)
    {
        foreach (var value in Values)
            if (!value.Option.AppliesTo(runnable))
            {
                var accepted = RunOptions.All.Where(o => o.AppliesTo(runnable)).Select(o => value.File is null ? o.Flag : o.Name);
                throw value.Error($"does not apply to {kind} '{runnable.Name}' (it takes {string.Join(", ", accepted)})");
            }
        foreach (var value in Values)
            if (value.Option.Problem(value.Value) is { } problem) throw value.Error(problem);
        _ = Normalized();
    }
}
