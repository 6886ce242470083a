using Galt.Experiments.Reporting;

namespace Galt.Experiments;

/// <summary>Something <c>galt run</c> or <c>galt bench</c> can run: it computes, and returns a record to be written.</summary>
public interface IRunnable
{
    /// <summary>Command-line name, e.g. <c>mnist-baseline</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>galt list</c>.</summary>
    string Description { get; }

    /// <summary>Runs and returns the record; writing it to disk is the caller's job.</summary>
    RunRecord Run(RunContext context);

    /// <summary>
    /// Whether the runnable uses an optional setting: "data-dir", "seeds", "tasks", "stream", "steps", "recipe", "round",
    /// "variant", "eval-size", "dual-rule" or "per-task" (the seed, --quick and the output folder apply to every runnable).
    /// </summary>
    bool AcceptsOption(string option) => false;

    /// <summary>
    /// The value this runnable uses for an accepted <paramref name="option"/> that <paramref name="context"/> leaves unset
    /// (an <see cref="int"/>, <see cref="bool"/> or <see cref="string"/>, as the option's type), or null when there is none
    /// to state: the runnable has no default of its own, or leaving the option unset differs from setting it to any one
    /// value (e.g. "every configuration"). Stating the value must not change the run: the effective configuration a run
    /// records is re-used as a configuration file to repeat it.
    /// </summary>
    object? OptionDefault(string option, RunContext context) => null;
}
