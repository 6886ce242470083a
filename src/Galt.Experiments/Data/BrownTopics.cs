namespace Galt.Experiments.Data;

/// <summary>
/// Four coarse topic classes over the Brown genres, playing AG News's role (a 4-way topic task on real text).
/// Labels 0..3 in this order: press (news, editorial, reviews), learned (learned), fiction (general fiction, mystery,
/// science fiction, adventure, romance, humor), nonfiction (religion, hobbies, lore, belles-lettres, government:
/// the other non-fiction). Every genre belongs to exactly one class.
/// </summary>
public static class BrownTopics
{
    /// <summary>Number of classes.</summary>
    public const int Count = 4;

    /// <summary>Label of the press class (news, editorial, reviews).</summary>
    public const int Press = 0;

    /// <summary>Label of the learned class (scientific and scholarly writing).</summary>
    public const int Learned = 1;

    /// <summary>Label of the fiction class.</summary>
    public const int Fiction = 2;

    /// <summary>Label of the other non-fiction class.</summary>
    public const int Nonfiction = 3;

    /// <summary>Class names, indexed by label.</summary>
    public static IReadOnlyList<string> Names { get; } = ["press", "learned", "fiction", "nonfiction"];

    private static readonly string[][] Members =
    [
        ["news", "editorial", "reviews"],
        ["learned"],
        ["fiction", "mystery", "science_fiction", "adventure", "romance", "humor"],
        ["religion", "hobbies", "lore", "belles_lettres", "government"],
    ];

    private static readonly Dictionary<string, int> LabelByGenre = Enumerable.Range(0, Count)
        .SelectMany(label => Members[label].Select(genre => (genre, label)))
        .ToDictionary(p => p.genre, p => p.label, StringComparer.Ordinal);

    /// <summary>The genres of class <paramref name="label"/>.</summary>
    public static IReadOnlyList<string> GenresOf(int label)
    {
        if (label < 0 || label >= Count)
            throw new ArgumentOutOfRangeException(nameof(label), $"topic label {label} must lie in [0, {Count - 1}].");
        return Members[label];
    }

    /// <summary>The class label (0..3) of a Brown genre; throws naming the genre when it is not one of the 15.</summary>
    public static int LabelOf(string genre) =>
        LabelByGenre.TryGetValue(genre, out int label) ? label
            : throw new ArgumentException($"'{genre}' is not a Brown genre; expected one of {string.Join(", ", BrownGenres.All)}.", nameof(genre));
}
