using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Galt.Experiments.Data;

/// <summary>
/// Reads the Brown Corpus from the npm tarball's layout: one file per document, <c>package/&lt;id&gt;</c> with ids
/// <c>ca01</c>..<c>cr09</c> (c, the genre letter, two digits), and <c>package/cats.txt</c>, one
/// <c>&lt;id&gt; &lt;genre&gt;</c> line per document. A document file is paragraphs separated by blank lines, one sentence
/// per line, tokens separated by spaces or tabs, each token <c>word/tag</c>; the word is everything before the last
/// <c>/</c> (words such as <c>1/2</c> and <c>and/or</c> contain slashes), the tag is lower-case letters and
/// <c>$*+-.,:()'`</c>. Anything else is refused with the file and line.
/// </summary>
public static class BrownCorpusReader
{
    /// <summary>The document→genre map inside the tarball.</summary>
    public const string CategoriesEntry = "package/cats.txt";

    private const string EntryPrefix = "package/";
    private const string TagPunctuation = "$*+-.,:()'`";

    /// <summary>
    /// The documents of the tarball at <paramref name="path"/>, ordered by id, each with its genre from
    /// <see cref="CategoriesEntry"/>. Throws <see cref="GaltDataException"/> naming the tarball, the entry and the line
    /// when a token or a category line is malformed, a document has no genre, a genre is unknown, or the tarball holds
    /// other than <paramref name="expectedDocuments"/> documents.
    /// </summary>
    /// <param name="path">The <c>.tgz</c> file.</param>
    /// <param name="expectedDocuments">Exact number of documents (500 for the real corpus).</param>
    /// <param name="onDocumentRead">Called after each document file is parsed (for progress).</param>
    public static IReadOnlyList<BrownDocument> ReadTarball(string path, int expectedDocuments, Action? onDocumentRead = null)
    {
        var tokens = new Dictionary<string, (string[] Words, string[] Tags)>(StringComparer.Ordinal);
        string? categories = null;
        var pool = new StringPool();
        try
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null) continue;
                if (entry.Name == CategoriesEntry)
                {
                    using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
                    categories = reader.ReadToEnd();
                }
                else if (DocumentIdOf(entry.Name) is { } id)
                {
                    if (tokens.ContainsKey(id)) throw new GaltDataException($"{path}: {entry.Name} appears twice in the tarball.");
                    using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
                    tokens[id] = ReadDocument(reader, $"{path}: {entry.Name}", pool);
                    onDocumentRead?.Invoke();
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new GaltDataException($"{path}: not a readable npm tarball: {e.Message}", e);
        }

        if (categories is null)
            throw new GaltDataException($"{path}: {CategoriesEntry} is missing; it maps each document to its genre.");
        var genres = ReadCategories(categories, $"{path}: {CategoriesEntry}", tokens);
        var documents = new List<BrownDocument>(tokens.Count);
        foreach (var (id, (words, tags)) in tokens.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!genres.TryGetValue(id, out string? genre))
                throw new GaltDataException($"{path}: {EntryPrefix}{id} has no genre: {CategoriesEntry} has no line for document {id}.");
            documents.Add(new BrownDocument(id, genre, words, tags));
        }
        if (documents.Count != expectedDocuments)
            throw new GaltDataException($"{path}: {documents.Count} documents, expected {expectedDocuments}.");
        return documents;
    }

    /// <summary>The document id of a tarball entry named <c>package/c&lt;letter&gt;&lt;digit&gt;&lt;digit&gt;</c>, else null.</summary>
    private static string? DocumentIdOf(string entryName)
    {
        if (!entryName.StartsWith(EntryPrefix, StringComparison.Ordinal)) return null;
        var id = entryName.AsSpan(EntryPrefix.Length);
        return id.Length == 4 && id[0] == 'c' && char.IsAsciiLetterLower(id[1]) && char.IsAsciiDigit(id[2]) && char.IsAsciiDigit(id[3])
            ? id.ToString() : null;
    }

    /// <summary>Splits every <c>word/tag</c> token of one document file; <paramref name="where"/> prefixes errors.</summary>
    private static (string[] Words, string[] Tags) ReadDocument(TextReader reader, string where, StringPool pool)
    {
        var words = new List<string>(2_600);
        var tags = new List<string>(2_600);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var rest = line.AsSpan();
            while (true)
            {
                int start = rest.IndexOfAnyExcept(" \t\r");
                if (start < 0) break;
                rest = rest[start..];
                int end = rest.IndexOfAny(" \t\r");
                var token = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[end..];
                int slash = token.LastIndexOf('/');
                if (slash <= 0 || !IsTag(token[(slash + 1)..]))
                    throw new GaltDataException(
                        $"{where} line {lineNumber}: token '{token}' is not of the form word/tag " +
                        $"(a non-empty word, '/', then a tag of lower-case letters and {TagPunctuation}).");
                words.Add(pool.Intern(token[..slash]));
                tags.Add(pool.Intern(token[(slash + 1)..]));
            }
        }
        if (words.Count == 0) throw new GaltDataException($"{where}: the document holds no word/tag tokens.");
        return (words.ToArray(), tags.ToArray());
    }

    private static bool IsTag(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty) return false;
        foreach (char c in tag)
            if (!char.IsAsciiLetterLower(c) && !TagPunctuation.Contains(c)) return false;
        return true;
    }

    /// <summary>Parses the <c>&lt;id&gt; &lt;genre&gt;</c> lines; every id must name a document file and appear once.</summary>
    private static Dictionary<string, string> ReadCategories(string text, string where, IReadOnlyDictionary<string, (string[], string[])> documents)
    {
        var genres = new Dictionary<string, string>(StringComparer.Ordinal);
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            if (fields.Length != 2)
                throw new GaltDataException($"{where} line {lineNumber}: expected '<document id> <genre>', found '{line.TrimEnd('\r')}'.");
            var (id, genre) = (fields[0], fields[1]);
            if (!BrownGenres.IsGenre(genre))
                throw new GaltDataException($"{where} line {lineNumber}: genre '{genre}' of document {id} is not one of the 15 Brown genres ({string.Join(", ", BrownGenres.All)}).");
            if (firstLine.TryGetValue(id, out int first))
                throw new GaltDataException($"{where} line {lineNumber}: document {id} is listed again (first on line {first}).");
            if (!documents.ContainsKey(id))
                throw new GaltDataException($"{where} line {lineNumber}: document {id} has no file {EntryPrefix}{id} in the tarball.");
            genres[id] = genre;
            firstLine[id] = lineNumber;
        }
        return genres;
    }

    /// <summary>One string per distinct word or tag, so 1.16 M tokens hold about 56 k strings.</summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

        public string Intern(ReadOnlySpan<char> text)
        {
            var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text, out string? known)) return known;
            string created = text.ToString();
            _strings[created] = created;
            return created;
        }
    }
}
