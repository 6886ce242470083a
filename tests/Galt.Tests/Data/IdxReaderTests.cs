using Galt.Experiments.Data;

namespace Galt.Tests.Data;

public class IdxReaderTests
{
    private static string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(TempDir.Create(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ValidFilesAreReadRawOrGzipped(bool gzip)
    {
        var (pixels, labels) = SyntheticMnist.Digits(30, seed: 3);
        byte[] images = SyntheticMnist.ImageFile(pixels, 30), labelBytes = SyntheticMnist.LabelFile(labels, 30);
        string imagesPath = Write("imgs", gzip ? SyntheticMnist.Gzip(images) : images);
        string labelsPath = Write("lbls", gzip ? SyntheticMnist.Gzip(labelBytes) : labelBytes);

        var set = IdxReader.ReadPair(imagesPath, labelsPath, "test");
        Assert.Equal(30, set.Count);
        Assert.Equal(labels, set.Labels);
        Assert.Equal(pixels[500] / 255f, set.Pixels[500]);
        Assert.All(set.Pixels, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void WrongMagicNamesTheFileAndBothMagics()
    {
        var (pixels, _) = SyntheticMnist.Digits(5, seed: 3);
        string path = Write("train-images-idx3-ubyte", SyntheticMnist.ImageFile(pixels, 5, magic: 0x00000801));
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an IDX image file: magic number 0x00000801, expected 0x00000803", e.Message);
    }

    [Fact]
    public void WrongLabelMagicNamesTheFile()
    {
        string path = Write("train-labels-idx1-ubyte", SyntheticMnist.LabelFile(new byte[] { 1, 2 }, 2, magic: 0x12345678));
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic number 0x12345678, expected 0x00000801", e.Message);
    }

    [Fact]
    public void TruncatedImageFileSaysHowManyBytesWereDeclaredAndFound()
    {
        var (pixels, _) = SyntheticMnist.Digits(4, seed: 3);
        byte[] full = SyntheticMnist.ImageFile(pixels, 4);
        string path = Write("t10k-images-idx3-ubyte", full[..(full.Length - 100)]);
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"truncated: the header declares 4 images of 28x28 ({full.Length} bytes in all) but the file holds {full.Length - 100} bytes", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        string path = Write("short", new byte[] { 0, 0, 8 });
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsReported()
    {
        var (pixels, _) = SyntheticMnist.Digits(4, seed: 3);
        byte[] gz = SyntheticMnist.Gzip(SyntheticMnist.ImageFile(pixels, 4));
        string path = Write("imgs.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ImageLabelCountMismatchNamesBothFilesAndCounts()
    {
        var (pixels, labels) = SyntheticMnist.Digits(10, seed: 3);
        string imagesPath = Write("train-images-idx3-ubyte", SyntheticMnist.ImageFile(pixels, 10));
        string labelsPath = Write("train-labels-idx1-ubyte", SyntheticMnist.LabelFile(labels[..9], 9));
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadPair(imagesPath, labelsPath, "test"));
        Assert.Contains($"image/label count mismatch: {imagesPath} holds 10 images but {labelsPath} holds 9 labels", e.Message);
    }

    [Fact]
    public void LabelOutsideDigitsIsRejected()
    {
        string path = Write("lbls", SyntheticMnist.LabelFile(new byte[] { 3, 12 }, 2));
        var e = Assert.Throws<GaltDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("label 12 at index 1 is not a digit 0-9", e.Message);
    }

    [Fact]
    public void DirectoryWithoutTheFilesSaysWhichIsMissing()
    {
        string dir = TempDir.Create();
        var e = Assert.Throws<GaltDataException>(() => MnistIdxDirectory.Load(dir));
        Assert.Contains("no train-images-idx3-ubyte", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void DirectoryLoadGivesTheStandardSplit()
    {
        string dir = SyntheticMnist.WriteDirectory(trainCount: 40, testCount: 20, gzip: false);
        var split = MnistIdxDirectory.Load(dir);
        Assert.Equal(40, split.Train.Count);
        Assert.Equal(20, split.Test.Count);
        Assert.Equal("idx", split.SourceKind);
        Assert.Null(split.SplitSeed);
        Assert.Contains("40 train / 20 test", split.Description);
    }
}
