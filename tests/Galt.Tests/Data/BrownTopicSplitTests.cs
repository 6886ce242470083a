using Galt.Experiments.Data;

namespace Galt.Tests.Data;

/// <summary>The document-level split, the balanced sampler and the report sentence on a tiny synthetic corpus.</summary>
public class BrownTopicSplitTests
{
    [Fact]
    public void SplitIsByDocumentAndStratifiedByClass()
    {
        var corpus = SyntheticBrown.Corpus();
        var split = BrownTopicSplit.Create(corpus, seed: 3);
        Assert.Equal(new[] { 1, 1, 1, 1 }, split.DocumentCounts(BrownSplitSide.Eval)); // 20 % of 5 documents per class
        Assert.Equal(new[] { 4, 4, 4, 4 }, split.DocumentCounts(BrownSplitSide.Train));
        Assert.Empty(split.TrainDocuments.Select(d => d.Id).Intersect(split.EvalDocuments.Select(d => d.Id)));
        Assert.Empty(split.Train.Select(p => p.DocumentId).Intersect(split.Eval.Select(p => p.DocumentId)));
        Assert.Equal(new[] { 12, 12, 12, 12 }, split.PassageCounts(BrownSplitSide.Train));
        Assert.Equal(new[] { 3, 3, 3, 3 }, split.PassageCounts(BrownSplitSide.Eval));
        Assert.Equal(split.EvalDocuments.Select(d => d.Id), BrownTopicSplit.Create(corpus, seed: 3).EvalDocuments.Select(d => d.Id));
        var half = BrownTopicSplit.Create(corpus, seed: 3, evalFraction: 0.4);
        Assert.Equal(new[] { 2, 2, 2, 2 }, half.DocumentCounts(BrownSplitSide.Eval));
    }

    [Fact]
    public void SplitThatEmptiesASideOfAClassIsRefusedNamingTheClass()
    {
        var corpus = SyntheticBrown.Corpus();
        var e = Assert.Throws<GaltDataException>(() => BrownTopicSplit.Create(corpus, evalFraction: 0.05));
        Assert.Contains("class 'learned' has 5 train and 0 eval documents with eval fraction 0.05", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BrownTopicSplit.Create(corpus, evalFraction: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BrownTopicSplit.Create(corpus, wordsPerPassage: 0));
    }

    [Fact]
    public void BalancedSampleHasEqualClassesIsSeededAndRefusesTooMany()
    {
        var split = BrownTopicSplit.Create(SyntheticBrown.Corpus(), seed: 3);
        var sample = split.Sample(BrownSplitSide.Train, perClass: 10, seed: 1);
        Assert.Equal(40, sample.Count);
        Assert.Equal(new[] { 10, 10, 10, 10 }, Enumerable.Range(0, 4).Select(c => sample.Count(p => p.Label == c)));
        Assert.Equal(40, sample.Distinct().Count()); // without replacement
        Assert.All(sample, p => Assert.Contains(p, split.Train));
        Assert.Equal(sample, split.Sample(BrownSplitSide.Train, 10, seed: 1));
        Assert.NotEqual(sample, split.Sample(BrownSplitSide.Train, 10, seed: 2));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => split.Sample(BrownSplitSide.Eval, perClass: 4, seed: 1));
        Assert.Contains("the eval side has 3 passages of class 'press', fewer than the 4 asked per class", e.Message);
    }

    [Fact]
    public void DescriptionNamesSourceHashSeedAndCounts()
    {
        var corpus = SyntheticBrown.Corpus();
        string description = BrownTopicSplit.Create(corpus, seed: 3).Description;
        Assert.Contains($"SHA-256 {corpus.Sha256[..12]}", description);
        Assert.Contains("split seed 3", description);
        Assert.Contains("train passages press 12 (4 documents), learned 12 (4 documents), fiction 12 (4 documents), nonfiction 12 (4 documents)", description);
        Assert.Contains("eval passages press 3 (1 document)", description);
    }
}
