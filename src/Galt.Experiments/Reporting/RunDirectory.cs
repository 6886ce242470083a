using System.Globalization;

namespace Galt.Experiments.Reporting;

/// <summary>Names and creates a run's folder: <c>&lt;out&gt;/&lt;name&gt;-&lt;UTC timestamp&gt;/</c>.</summary>
public static class RunDirectory
{
    /// <summary>Creates a fresh folder for a run of <paramref name="name"/> started at <paramref name="startedUtc"/>; never reuses one.</summary>
    public static string Create(string outRoot, string name, DateTime startedUtc)
    {
        string stamp = startedUtc.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string path = Path.Combine(outRoot, $"{name}-{stamp}");
        for (int n = 2; Directory.Exists(path); n++)
            path = Path.Combine(outRoot, $"{name}-{stamp}-{n}");
        Directory.CreateDirectory(path);
        return path;
    }
}
