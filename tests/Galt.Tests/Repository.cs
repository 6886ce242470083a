namespace Galt.Tests;

/// <summary>The repository the tests run from (tests that read its docs, examples or launcher).</summary>
internal static class Repository
{
    /// <summary>The folder holding Galt.slnx and the galt launcher, above the test binaries.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Galt.slnx")) && File.Exists(Path.Combine(dir.FullName, "galt")))
                return dir.FullName;
        throw new InvalidOperationException($"no repository root (Galt.slnx and galt) above {AppContext.BaseDirectory}.");
    }
}
