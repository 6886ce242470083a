using Galt.Experiments;
using Galt.Experiments.Reporting;

namespace Galt.Cli.Configuration;

/// <summary>
/// What one <c>galt run</c> (or <c>galt config</c>, <c>galt bench</c>) invocation asks for: the runnable, named on the
/// command line or by the configuration file, and the options given, command-line flags over the file's values.
/// </summary>
/// <param name="Runnable">The experiment or benchmark.</param>
/// <param name="Given">The given values as given (paths as written; a run uses <see cref="RunConfig.Normalized"/>), checked against <paramref name="Runnable"/>.</param>
public sealed record RunRequest(IRunnable Runnable, RunConfig Given)
{
    /// <summary>
    /// Finds the runnable and layers <paramref name="flags"/> over <paramref name="file"/>; throws
    /// <see cref="RunConfigException"/> when no runnable is named, the name is unknown, the command line and the file name
    /// different ones, or a value does not apply to it or is out of range.
    /// </summary>
    /// <param name="catalog">The runnables to choose from.</param>
    /// <param name="kind">"experiment" or "benchmark", for messages.</param>
    /// <param name="name">The name on the command line, or null.</param>
    /// <param name="file">The configuration file's values, or null when no --config was given.</param>
    /// <param name="flags">The values of the flags given.</param>
    public static RunRequest Resolve(IReadOnlyList<IRunnable> catalog, string kind, string? name, RunConfig? file, RunConfig flags)
    {
        file ??= RunConfig.Empty;
        // Faults in the name a file gives are reported at its 'experiment' line.
        RunConfigException AtExperimentKey(string message) =>
            new($"{file.File}:{file.ExperimentLine}: {message}", file.File, file.ExperimentLine, RunConfigToml.ExperimentKey);

        if (name is not null && file.Experiment is not null && !string.Equals(name, file.Experiment, StringComparison.OrdinalIgnoreCase))
            throw AtExperimentKey($"the configuration is for {kind} '{file.Experiment}', but the command line names '{name}'; name one of them, or the same in both.");
        string chosen = name ?? file.Experiment ?? throw new RunConfigException(
            $"which {kind}? Name one on the command line or give a --config file whose '{RunConfigToml.ExperimentKey}' key names it; 'galt list' shows them.");
        var runnable = Catalog.Find(catalog, chosen);
        if (runnable is null)
        {
            string unknown = $"no {kind} named '{chosen}'. Known: {string.Join(", ", catalog.Select(r => r.Name))} ('galt list' describes them).";
            throw name is null ? AtExperimentKey(unknown) : new RunConfigException(unknown);
        }
        var given = flags.Over(file);
        given.Check(runnable, kind);
        return new RunRequest(runnable, given);
    }
}
