namespace Galt.Checkpoints;

/// <summary>
/// Training state that can be checkpointed and restored exactly. Restoring is two-phase so that a checkpoint which does
/// not fit leaves everything untouched: <see cref="Prepare"/> reads, decodes and checks every entry it needs (throwing a
/// <see cref="CheckpointException"/> that names the file and the entry) without changing any state, and returns the
/// action that applies it; the action cannot fail. A composite prepares all its parts before it applies any.
/// </summary>
public interface ICheckpointable
{
    /// <summary>Writes this object's state under <paramref name="writer"/>'s scope.</summary>
    void Save(CheckpointWriter writer);

    /// <summary>Reads and checks this object's state from <paramref name="reader"/>; returns the action that applies it.</summary>
    Action Prepare(CheckpointReader reader);
}
