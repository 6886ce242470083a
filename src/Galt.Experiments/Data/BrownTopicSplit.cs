using System.Globalization;

namespace Galt.Experiments.Data;

/// <summary>
/// The Brown 4-class topic task (<see cref="BrownTopics"/>) as a train/eval split of passages, split <em>by document</em>
/// so no document has passages on both sides: a seeded, class-stratified draw of a fixed fraction of each class's
/// documents for eval (<see cref="StratifiedSplit"/>), then every document cut into non-overlapping passages.
/// The corpus is unbalanced (about 41 % of documents are other non-fiction), so <see cref="Sample"/> draws equal
/// numbers per class: chance accuracy and the frequency of label 0 are then both 1/4.
/// </summary>
public sealed class BrownTopicSplit
{
    /// <summary>Seed of the default split. Fixed: every run and every report uses the same split unless told otherwise.</summary>
    public const int DefaultSeed = 20_261_201;

    /// <summary>Share of each class's documents held out for eval by default.</summary>
    public const double DefaultEvalFraction = 0.2;

    private readonly BrownPassage[][][] _byClass; // [side][label] → passages in document order

    private BrownTopicSplit(BrownCorpus corpus, int seed, double evalFraction, int wordsPerPassage,
        IReadOnlyList<BrownDocument> train, IReadOnlyList<BrownDocument> eval)
    {
        Source = corpus.Source;
        Sha256 = corpus.Sha256;
        Seed = seed;
        EvalFraction = evalFraction;
        WordsPerPassage = wordsPerPassage;
        TrainDocuments = train;
        EvalDocuments = eval;
        Train = train.SelectMany(d => d.Passages(wordsPerPassage)).ToArray();
        Eval = eval.SelectMany(d => d.Passages(wordsPerPassage)).ToArray();
        _byClass = [ByClass(Train), ByClass(Eval)];
    }

    /// <summary>
    /// Splits <paramref name="corpus"/>: <paramref name="evalFraction"/> of each class's documents (rounded so the
    /// total is the fraction of all documents) go to eval, drawn with <paramref name="seed"/>; every class must keep at
    /// least one document on each side.
    /// </summary>
    /// <param name="corpus">The corpus, e.g. from <see cref="NpmBrownCorpus.Load"/>.</param>
    /// <param name="seed">Seed of the document draw.</param>
    /// <param name="evalFraction">Share of documents held out, in (0, 1).</param>
    /// <param name="wordsPerPassage">Words per passage.</param>
    public static BrownTopicSplit Create(BrownCorpus corpus, int seed = DefaultSeed, double evalFraction = DefaultEvalFraction,
        int wordsPerPassage = BrownPassage.DefaultWordCount)
    {
        if (!(evalFraction > 0 && evalFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(evalFraction), $"eval fraction {evalFraction} must lie strictly between 0 and 1.");
        if (wordsPerPassage <= 0)
            throw new ArgumentOutOfRangeException(nameof(wordsPerPassage), $"words per passage must be positive, got {wordsPerPassage}.");
        var documents = corpus.Documents;
        var labels = documents.Select(d => (byte)d.Label).ToArray();
        int evalCount = (int)Math.Round(evalFraction * documents.Count, MidpointRounding.AwayFromZero);
        var (trainIdx, evalIdx) = StratifiedSplit.Split(labels, evalCount, seed);
        var train = trainIdx.Select(i => documents[i]).ToArray();
        var eval = evalIdx.Select(i => documents[i]).ToArray();
        for (int label = 0; label < BrownTopics.Count; label++)
        {
            int inTrain = train.Count(d => d.Label == label), inEval = eval.Count(d => d.Label == label);
            if (inTrain == 0 || inEval == 0)
                throw new GaltDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{corpus.Source}: class '{BrownTopics.Names[label]}' has {inTrain} train and {inEval} eval documents with eval fraction {evalFraction}; " +
                    $"expected at least one document of every class on each side."));
        }
        return new BrownTopicSplit(corpus, seed, evalFraction, wordsPerPassage, train, eval);
    }

    /// <summary>Where the corpus came from.</summary>
    public string Source { get; }

    /// <summary>Lower-case hex SHA-256 of the corpus tarball.</summary>
    public string Sha256 { get; }

    /// <summary>Seed of the document draw.</summary>
    public int Seed { get; }

    /// <summary>Share of documents held out for eval.</summary>
    public double EvalFraction { get; }

    /// <summary>Words per passage.</summary>
    public int WordsPerPassage { get; }

    /// <summary>Documents on the train side, in corpus order (by id when read from a tarball).</summary>
    public IReadOnlyList<BrownDocument> TrainDocuments { get; }

    /// <summary>Documents on the eval side, in corpus order (by id when read from a tarball).</summary>
    public IReadOnlyList<BrownDocument> EvalDocuments { get; }

    /// <summary>All passages of the train documents, in document order.</summary>
    public IReadOnlyList<BrownPassage> Train { get; }

    /// <summary>All passages of the eval documents, in document order.</summary>
    public IReadOnlyList<BrownPassage> Eval { get; }

    /// <summary>The documents of one side.</summary>
    public IReadOnlyList<BrownDocument> Documents(BrownSplitSide side) => side == BrownSplitSide.Train ? TrainDocuments : EvalDocuments;

    /// <summary>The passages of one side.</summary>
    public IReadOnlyList<BrownPassage> Passages(BrownSplitSide side) => side == BrownSplitSide.Train ? Train : Eval;

    /// <summary>Passages per class on one side, indexed by label.</summary>
    public int[] PassageCounts(BrownSplitSide side) => _byClass[(int)side].Select(c => c.Length).ToArray();

    /// <summary>Documents per class on one side, indexed by label.</summary>
    public int[] DocumentCounts(BrownSplitSide side)
    {
        var counts = new int[BrownTopics.Count];
        foreach (var document in Documents(side)) counts[document.Label]++;
        return counts;
    }

    /// <summary>
    /// A class-balanced sample of one side: <paramref name="perClass"/> passages of each class, drawn without replacement
    /// with <paramref name="seed"/>, then shuffled together. Throws naming the class when a class has fewer passages.
    /// </summary>
    public IReadOnlyList<BrownPassage> Sample(BrownSplitSide side, int perClass, int seed)
    {
        if (perClass <= 0)
            throw new ArgumentOutOfRangeException(nameof(perClass), $"passages per class must be positive, got {perClass}.");
        var byClass = _byClass[(int)side];
        for (int label = 0; label < BrownTopics.Count; label++)
            if (byClass[label].Length < perClass)
                throw new ArgumentOutOfRangeException(nameof(perClass),
                    $"the {side.ToString().ToLowerInvariant()} side has {byClass[label].Length} passages of class '{BrownTopics.Names[label]}', " +
                    $"fewer than the {perClass} asked per class.");
        var rng = new Random(seed);
        var sample = new BrownPassage[perClass * BrownTopics.Count];
        for (int label = 0; label < BrownTopics.Count; label++)
        {
            var pool = (BrownPassage[])byClass[label].Clone();
            for (int i = 0; i < perClass; i++) // partial Fisher–Yates: the first perClass slots become a uniform draw
            {
                int j = rng.Next(i, pool.Length);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            Array.Copy(pool, 0, sample, label * perClass, perClass);
        }
        rng.Shuffle(sample);
        return sample;
    }

    /// <summary>One sentence naming the data, the split and the counts per class on each side, e.g. for report.md.</summary>
    public string Description
    {
        get
        {
            string Counts(BrownSplitSide side)
            {
                var passages = PassageCounts(side);
                var documents = DocumentCounts(side);
                return string.Join(", ", Enumerable.Range(0, BrownTopics.Count)
                    .Select(c => string.Create(CultureInfo.InvariantCulture, $"{BrownTopics.Names[c]} {passages[c]:N0} ({documents[c]} {(documents[c] == 1 ? "document" : "documents")})")));
            }
            return string.Create(CultureInfo.InvariantCulture,
                $"{Source} (Brown Corpus, tarball SHA-256 {Sha256[..12]}…), 4 topic classes of {WordsPerPassage}-word passages, " +
                $"split by document, class-stratified, {EvalFraction:P0} of each class's documents to eval with split seed {Seed}: " +
                $"train passages {Counts(BrownSplitSide.Train)}; eval passages {Counts(BrownSplitSide.Eval)}");
        }
    }

    private static BrownPassage[][] ByClass(IReadOnlyList<BrownPassage> passages) =>
        Enumerable.Range(0, BrownTopics.Count).Select(label => passages.Where(p => p.Label == label).ToArray()).ToArray();
}
