namespace Galt.Experiments.Data;

/// <summary>
/// Finds the GALT authors' release data (MIT licence; prompts, contrast lessons, curriculum), which is not shipped with
/// Galt: <c>$GALT_RELEASE_DATA</c>, else a <c>shared/data/galt-release</c> folder beside the working directory or any of
/// its parents (the development workspace layout).
/// </summary>
public static class ReleaseData
{
    /// <summary>The release-data folder, or null when none is found.</summary>
    public static string? Find()
    {
        string? explicitDir = Environment.GetEnvironmentVariable("GALT_RELEASE_DATA");
        if (!string.IsNullOrEmpty(explicitDir)) return Directory.Exists(explicitDir) ? explicitDir : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "galt-release");
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }
}
