namespace Galt.Experiments.Data;

/// <summary>A train/test pair of MNIST sets and the sentence every report states about where they came from.</summary>
public sealed class MnistSplit
{
    /// <summary>Creates the pair.</summary>
    public MnistSplit(MnistDataset train, MnistDataset test, string source, string description, string sourceKind, int? splitSeed)
    {
        Source = source;
        Train = train;
        Test = test;
        Description = description;
        SourceKind = sourceKind;
        SplitSeed = splitSeed;
    }

    /// <summary>Training images.</summary>
    public MnistDataset Train { get; }

    /// <summary>Held-out test images.</summary>
    public MnistDataset Test { get; }

    /// <summary>Where the images came from (a package or a folder).</summary>
    public string Source { get; }

    /// <summary>One sentence naming the data and the split, e.g. for report.md.</summary>
    public string Description { get; }

    /// <summary>"npm-sample" or "idx".</summary>
    public string SourceKind { get; }

    /// <summary>The seed of the stratified split, when the split was drawn (the npm sample); null for the standard IDX split.</summary>
    public int? SplitSeed { get; }
}
