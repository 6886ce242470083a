using System.Text.Json.Nodes;
using Galt.Experiments;
using Galt.Experiments.Reporting;
using Galt.Continual;

namespace Galt.Cli.Configuration;

/// <summary>
/// The configuration a run goes by: every option that applies to the runnable, with the given value, else the runnable's
/// own default (<see cref="IRunnable.OptionDefault"/>), else the option's (<see cref="RunOption.Default"/>), else unset
/// (left to the runnable, and not recorded). Recorded in result.json and report.md; given back as a file, it repeats the run.
/// </summary>
public sealed class EffectiveRunConfig
{
    private EffectiveRunConfig(IRunnable runnable, IReadOnlyList<(RunOption Option, object? Value)> entries)
    {
        Runnable = runnable;
        Entries = entries;
    }

    /// <summary>The runnable.</summary>
    public IRunnable Runnable { get; }

    /// <summary>Every option that applies, in <see cref="RunOptions.All"/> order, with its value; null when unset.</summary>
    public IReadOnlyList<(RunOption Option, object? Value)> Entries { get; }

    /// <summary>The effective configuration of <paramref name="runnable"/> run with <paramref name="given"/> (as <see cref="RunRequest"/> makes it).</summary>
    /// <param name="runnable">The runnable.</param>
    /// <param name="given">The values given.</param>
    /// <param name="absolutePaths">
    /// Whether values are as a run records them (<see cref="RunOption.Recorded"/>: paths absolute, <c>out = "/home/me/runs"</c>;
    /// a password masked), or kept as written or declared, as <c>galt config</c> shows them (<c>out = "runs"</c>: wherever the run starts).
    /// </param>
    public static EffectiveRunConfig Resolve(IRunnable runnable, RunConfig given, bool absolutePaths)
    {
        var context = RunOptions.ContextFor(given, NullProgress.Instance);
        var entries = new List<(RunOption, object?)>();
        foreach (var option in RunOptions.All.Where(o => o.AppliesTo(runnable)))
        {
            object? value = given.ValueOf(option) ?? runnable.OptionDefault(option.Name, context) ?? option.Default;
            entries.Add((option, value is not null && absolutePaths ? option.Recorded(value) : value));
        }
        return new EffectiveRunConfig(runnable, entries);
    }

    /// <summary>The set values as a JSON object (a run record's <c>run_config</c>).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (option, value) in Entries)
            if (value is not null) json[option.Name] = option.ToJson(value);
        return json;
    }

    /// <summary>The TOML text, every option preceded by its description and unset ones commented out (<c>galt config</c>).</summary>
    public string ToDescribedToml() =>
        $"# Run configuration for {Runnable.Name}: 'galt run --config <this file>' runs it; flags given beside it override it (docs/run-configs.md).\n" +
        RunConfigToml.Write(Runnable.Name, Entries.Select(e => new RunConfigEntry(e.Option.Name, e.Value is null ? null : e.Option.ToJson(e.Value), e.Option.Description)));
}
