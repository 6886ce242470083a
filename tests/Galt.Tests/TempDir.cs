namespace Galt.Tests;

/// <summary>Fresh folders under the system temp folder for tests.</summary>
internal static class TempDir
{
    public static string Create()
    {
        string path = Path.Combine(Path.GetTempPath(), "galt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
