namespace Galt.Experiments.Data;

/// <summary>
/// The 15 genre categories of the Brown Corpus, as <c>cats.txt</c> of the NLTK copy names them, in the corpus's own
/// order (file letters a–r), with the number of documents each has in that copy.
/// </summary>
public static class BrownGenres
{
    /// <summary>The 15 genres in corpus order: news (ca..) first, humor (cr..) last.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "news", "editorial", "reviews", "religion", "hobbies", "lore", "belles_lettres", "government",
        "learned", "fiction", "mystery", "science_fiction", "adventure", "romance", "humor",
    ];

    /// <summary>Documents per genre in the NLTK copy (500 in all).</summary>
    public static IReadOnlyDictionary<string, int> DocumentCounts { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["news"] = 44, ["editorial"] = 27, ["reviews"] = 17, ["religion"] = 17, ["hobbies"] = 36, ["lore"] = 48,
        ["belles_lettres"] = 75, ["government"] = 30, ["learned"] = 80, ["fiction"] = 29, ["mystery"] = 24,
        ["science_fiction"] = 6, ["adventure"] = 29, ["romance"] = 29, ["humor"] = 9,
    };

    /// <summary>Whether <paramref name="name"/> is one of the 15 genres (exact, lower-case).</summary>
    public static bool IsGenre(string name) => DocumentCounts.ContainsKey(name);
}
