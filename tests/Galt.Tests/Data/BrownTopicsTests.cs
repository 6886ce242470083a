using Galt.Experiments.Data;

namespace Galt.Tests.Data;

public class BrownTopicsTests
{
    [Fact]
    public void EveryGenreBelongsToExactlyOneClass()
    {
        Assert.Equal(15, BrownGenres.All.Count);
        Assert.Equal(BrownGenres.All.Order(), BrownGenres.DocumentCounts.Keys.Order());
        Assert.Equal(500, BrownGenres.DocumentCounts.Values.Sum());
        var members = Enumerable.Range(0, BrownTopics.Count).SelectMany(BrownTopics.GenresOf).ToArray();
        Assert.Equal(BrownGenres.All.Order(), members.Order()); // each genre once across the four classes
        foreach (string genre in BrownGenres.All)
            Assert.Contains(genre, BrownTopics.GenresOf(BrownTopics.LabelOf(genre)));
    }

    [Fact]
    public void ClassesComeInTheTaskOrder()
    {
        Assert.Equal(new[] { "press", "learned", "fiction", "nonfiction" }, BrownTopics.Names);
        Assert.Equal(new[] { "news", "editorial", "reviews" }, BrownTopics.GenresOf(BrownTopics.Press));
        Assert.Equal(new[] { "learned" }, BrownTopics.GenresOf(BrownTopics.Learned));
        Assert.Equal(new[] { "fiction", "mystery", "science_fiction", "adventure", "romance", "humor" }, BrownTopics.GenresOf(BrownTopics.Fiction));
        Assert.Equal(new[] { "religion", "hobbies", "lore", "belles_lettres", "government" }, BrownTopics.GenresOf(BrownTopics.Nonfiction));
        // Documents per class in the real corpus: 88 / 80 / 126 / 206.
        var perClass = Enumerable.Range(0, BrownTopics.Count).Select(c => BrownTopics.GenresOf(c).Sum(g => BrownGenres.DocumentCounts[g]));
        Assert.Equal(new[] { 88, 80, 126, 206 }, perClass);
    }

    [Fact]
    public void UnknownGenreIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => BrownTopics.LabelOf("poetry"));
        Assert.Contains("'poetry' is not a Brown genre", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BrownTopics.GenresOf(4));
    }

    [Fact]
    public void TextJoinsTokensWithReadableSpacing()
    {
        string[] words = ["``", "Only", "a", "handful", "(", "few", ")", "''", ",", "the", "jury", "said", "--", "it's", "1/2", "'", "done", "'", "!"];
        Assert.Equal("\"Only a handful (few)\", the jury said -- it's 1/2 ' done '!", BrownText.Join(words));
        Assert.Equal("", BrownText.Join([]));
    }
}
