namespace Galt.Checkpoints;

/// <summary>A checkpoint file that cannot be used: missing, truncated, corrupt, foreign, from a newer format, or for another model. The message names the file and what was wrong.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public CheckpointException(string path, string message, Exception? inner = null) : base($"checkpoint '{path}': {message}", inner) => Path = path;

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }
}
