namespace Galt.Experiments.Data;

/// <summary>
/// One of the 500 Brown Corpus documents (a sample of about 2,000 words): its id, its genre from <c>cats.txt</c>, and
/// its tokens split into words and part-of-speech tags (Brown tag set, lower case, with its <c>-tl</c> title,
/// <c>-hl</c> headline, <c>-nc</c> citation and <c>fw-</c> foreign markers kept on the tag).
/// </summary>
public sealed class BrownDocument
{
    private readonly string[] _words;
    private readonly string[] _tags;

    /// <summary>Creates the document; <paramref name="words"/> and <paramref name="tags"/> are parallel and kept, not copied.</summary>
    public BrownDocument(string id, string genre, string[] words, string[] tags)
    {
        if (words.Length != tags.Length)
            throw new ArgumentException($"document {id}: {words.Length} words but {tags.Length} tags; expected one tag per word.", nameof(tags));
        Id = id;
        Genre = genre;
        Label = BrownTopics.LabelOf(genre);
        _words = words;
        _tags = tags;
    }

    /// <summary>The document id, which is also its file name in the package, e.g. <c>ca01</c>.</summary>
    public string Id { get; }

    /// <summary>The genre (one of <see cref="BrownGenres.All"/>).</summary>
    public string Genre { get; }

    /// <summary>The topic class of the genre (<see cref="BrownTopics"/>, 0..3).</summary>
    public int Label { get; }

    /// <summary>The words in order, tags stripped; punctuation tokens are words, as in the corpus.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The tag of each word.</summary>
    public IReadOnlyList<string> Tags => _tags;

    /// <summary>The whole document as readable text (<see cref="BrownText.Join"/>).</summary>
    public string Text => BrownText.Join(_words);

    /// <summary>
    /// Consecutive non-overlapping passages of <paramref name="wordsPerPassage"/> words; a shorter tail is dropped.
    /// The passages share this document's word array.
    /// </summary>
    public IReadOnlyList<BrownPassage> Passages(int wordsPerPassage = BrownPassage.DefaultWordCount)
    {
        if (wordsPerPassage <= 0)
            throw new ArgumentOutOfRangeException(nameof(wordsPerPassage), $"words per passage must be positive, got {wordsPerPassage}.");
        int count = _words.Length / wordsPerPassage;
        var passages = new BrownPassage[count];
        for (int i = 0; i < count; i++)
            passages[i] = new BrownPassage(Id, Genre, Label, i, new ArraySegment<string>(_words, i * wordsPerPassage, wordsPerPassage));
        return passages;
    }
}
