namespace Galt.Checkpoints;

/// <summary>Saves and restores an <see cref="ICheckpointable"/> as one checkpoint file (<see cref="CheckpointFile"/>).</summary>
public static class Checkpoint
{
    /// <summary>Writes <paramref name="state"/> to <paramref name="path"/> atomically (a crash leaves the previous file or the new one).</summary>
    public static void Save(string path, ICheckpointable state)
    {
        var writer = new CheckpointWriter();
        state.Save(writer);
        CheckpointFile.Write(path, writer.Entries);
    }

    /// <summary>
    /// Restores <paramref name="state"/> from <paramref name="path"/>: the file is verified and every entry read and
    /// checked before anything changes; a refusal (<see cref="CheckpointException"/>, naming the file and the entry)
    /// leaves <paramref name="state"/> as it was.
    /// </summary>
    public static void Load(string path, ICheckpointable state) => state.Prepare(new CheckpointReader(CheckpointFile.Read(path), path))();
}
