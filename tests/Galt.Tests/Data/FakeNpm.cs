namespace Galt.Tests.Data;

/// <summary>A folder holding an <c>npm</c> shell script that fails the way an unreachable registry does (Unix only).</summary>
internal static class FakeNpm
{
    /// <summary>The folder to use as PATH.</summary>
    public static string Failing()
    {
        string bin = TempDir.Create();
        string npm = Path.Combine(bin, "npm");
        File.WriteAllText(npm, "#!/bin/sh\necho 'registry unreachable' >&2\nexit 3\n");
        if (!OperatingSystem.IsWindows())   // the guard the platform analyzer (CA1416) asks for; the callers are Unix-only tests
            File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }
}
