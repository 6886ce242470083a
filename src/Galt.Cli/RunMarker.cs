namespace Galt.Cli;

/// <summary>
/// Tells the <c>galt</c> launcher where a checkpointed run keeps its checkpoints, so that when the process dies by a
/// signal (a segmentation fault, SIGKILL from the out-of-memory killer) the launcher can say which run died and print
/// the exact command that resumes it. The launcher names the file in <see cref="Variable"/>; without it nothing is written.
/// </summary>
internal static class RunMarker
{
    /// <summary>The environment variable holding the marker file's path.</summary>
    public const string Variable = "GALT_RUN_MARKER";

    /// <summary>Writes the process id, the experiment and the run folder, one per line, to the marker file (if any).</summary>
    public static void Write(string experiment, string folder)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path)) return;
        try
        {
            File.WriteAllText(path, $"{Environment.ProcessId}\n{experiment}\n{Path.GetFullPath(folder)}\n");
        }
        catch (IOException e)
        {
            // The marker only improves the launcher's message after a crash; the run itself goes on.
            Console.Error.WriteLine($"galt: could not write the run marker {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"galt: could not write the run marker {path}: {e.Message}");
        }
    }
}
