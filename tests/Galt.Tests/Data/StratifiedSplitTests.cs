using Galt.Experiments.Data;

namespace Galt.Tests.Data;

public class StratifiedSplitTests
{
    [Fact]
    public void SplitIsExactDisjointCompleteAndStratified()
    {
        // 200 seeded random cases: label arrays of 20-400 digits, test fractions 0-100 %.
        var cases = new Random(42);
        for (int trial = 0; trial < 200; trial++)
        {
            var labels = Enumerable.Range(0, cases.Next(20, 401)).Select(_ => (byte)cases.Next(0, 10)).ToArray();
            int testCount = labels.Length * cases.Next(0, 101) / 100;
            int seed = cases.Next();
            var (train, test) = StratifiedSplit.Split(labels, testCount, seed);
            Assert.Equal(testCount, test.Length);
            Assert.Equal(labels.Length, train.Length + test.Length);
            Assert.Equal(Enumerable.Range(0, labels.Length), train.Concat(test).OrderBy(i => i));
            double fraction = (double)testCount / labels.Length;
            for (byte c = 0; c < 10; c++)
            {
                int inClass = labels.Count(l => l == c);
                int inTest = test.Count(i => labels[i] == c);
                Assert.True(Math.Abs(inTest - inClass * fraction) < 1.0 + 1e-9, $"trial {trial}, class {c}: {inTest} of {inClass} in test, expected about {inClass * fraction}");
            }
        }
    }

    [Fact]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => (byte)(i % 10)).ToArray();
        var a = StratifiedSplit.Split(labels, 200, seed: 5);
        var b = StratifiedSplit.Split(labels, 200, seed: 5);
        var c = StratifiedSplit.Split(labels, 200, seed: 6);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
    }

    [Fact]
    public void SampleSplitIsEightThousandTwoThousand()
    {
        var labels = new byte[10_000];
        int[] perClass = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }; // the npm sample's class sizes
        int k = 0;
        for (byte c = 0; c < 10; c++) for (int i = 0; i < perClass[c]; i++) labels[k++] = c;
        var sample = new MnistDataset(new float[10_000 * 784], labels, "fake sample");
        var split = MnistSource.SplitSample(sample);
        Assert.Equal(8_000, split.Train.Count);
        Assert.Equal(2_000, split.Test.Count);
        Assert.Equal(MnistSource.SampleSplitSeed, split.SplitSeed);
        Assert.Contains("8,000 train / 2,000 test", split.Description);
        Assert.Contains($"split seed {MnistSource.SampleSplitSeed}", split.Description);
    }
}
