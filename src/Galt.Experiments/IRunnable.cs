using Galt.Reporting;

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

    /// <summary>Whether the runnable uses an optional setting: "seeds", "tasks", "stream", "steps", "recipe", "round", "variant", "eval-size", "dual-rule" or "per-task".</summary>
    bool AcceptsOption(string option) => false;
}
