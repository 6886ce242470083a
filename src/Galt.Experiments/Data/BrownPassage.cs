namespace Galt.Experiments.Data;

/// <summary>
/// A run of consecutive words from one Brown document: the unit a topic classifier sees. Passages of a document do not
/// overlap; passage <see cref="Index"/> starts at word <c>Index × Words.Count</c> of its document.
/// </summary>
/// <param name="DocumentId">The document, e.g. <c>ca01</c>.</param>
/// <param name="Genre">The document's genre (one of <see cref="BrownGenres.All"/>).</param>
/// <param name="Label">The topic class of the genre (<see cref="BrownTopics"/>, 0..3).</param>
/// <param name="Index">Position of the passage within its document, from 0.</param>
/// <param name="Words">The words, tags stripped; punctuation tokens count as words, as in the corpus.</param>
public sealed record BrownPassage(string DocumentId, string Genre, int Label, int Index, IReadOnlyList<string> Words)
{
    /// <summary>Words per passage unless a caller asks otherwise.</summary>
    public const int DefaultWordCount = 64;

    /// <summary>The topic class name (<see cref="BrownTopics.Names"/>).</summary>
    public string Topic => BrownTopics.Names[Label];

    /// <summary>The words as readable text (<see cref="BrownText.Join"/>).</summary>
    public string Text => BrownText.Join(Words);
}
