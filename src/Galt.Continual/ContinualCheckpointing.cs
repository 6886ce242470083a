namespace Galt.Continual;

/// <summary>
/// Checkpointing of a <see cref="ContinualTrainer"/> run: every <see cref="Every"/> training steps the whole state (model,
/// strategy, generators, data cursor, results so far) is written atomically to <see cref="Path"/>, replacing the previous
/// checkpoint. With <see cref="Resume"/>, a run whose checkpoint exists continues from it and ends exactly as the
/// uninterrupted run would have (parameters, multipliers, metrics; not wall time).
/// </summary>
/// <param name="Path">The checkpoint file.</param>
/// <param name="Every">Steps between checkpoints (≥ 1).</param>
public sealed record ContinualCheckpointing(string Path, int Every)
{
    /// <summary>Continue from <see cref="Path"/> when it exists (else start fresh).</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Stop the run after this global step (1-based), as an interruption would, with the checkpoint of that step written
    /// when the step is a checkpoint step; <see cref="ContinualTrainer.Run"/> then throws <see cref="OperationCanceledException"/>.
    /// For tests and drills of resuming.
    /// </summary>
    public long? StopAfterStep { get; init; }

    /// <summary>
    /// When the strategy cannot write its whole state (<see cref="Strategy.CanCheckpoint"/>, known once it is attached):
    /// false (default) refuses the run; true logs a warning and runs it without checkpoints (a resumed run then starts
    /// it from its beginning), as a journal of many units does.
    /// </summary>
    public bool FallBackWhenUnsupported { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("checkpointing needs a file path.");
        if (Every < 1) throw new ArgumentException($"checkpoint interval must be at least 1 step; got {Every}.");
        if (StopAfterStep is < 1) throw new ArgumentException($"StopAfterStep must be at least 1; got {StopAfterStep}.");
    }
}
