using System.Buffers.Binary;
using System.IO.Compression;

namespace Galt.Tests.Data;

/// <summary>Writes small IDX files for tests: valid ones with learnable synthetic digits, and corrupt ones.</summary>
internal static class SyntheticMnist
{
    /// <summary>IDX image file bytes: magic, count, 28, 28, pixels.</summary>
    public static byte[] ImageFile(byte[] pixels, int count, int magic = 0x00000803, int rows = 28, int cols = 28)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    /// <summary>IDX label file bytes: magic, count, labels.</summary>
    public static byte[] LabelFile(byte[] labels, int count, int magic = 0x00000801)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    /// <summary>
    /// Images of 10 classes, each a fixed random prototype plus noise: easy to learn, so a short training run on them
    /// must reach high accuracy. Labels cycle 0..9.
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) Digits(int count, int seed)
    {
        var prototypes = new Random(12345);
        var proto = new byte[10, 784];
        for (int c = 0; c < 10; c++)
            for (int p = 0; p < 784; p++)
                proto[c, p] = prototypes.NextDouble() < 0.2 ? (byte)220 : (byte)0;
        var rng = new Random(seed);
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 10;
            labels[i] = (byte)c;
            for (int p = 0; p < 784; p++)
                pixels[i * 784 + p] = (byte)Math.Clamp(proto[c, p] + rng.Next(-60, 61), 0, 255);
        }
        return (pixels, labels);
    }

    /// <summary>A folder with the four standard files (train and test gzip-compressed or raw as asked).</summary>
    /// <summary><see cref="Digits"/> as a dataset with pixels scaled to [0, 1].</summary>
    public static Galt.Experiments.Data.MnistDataset Dataset(int count, int seed)
    {
        var (pixels, labels) = Digits(count, seed);
        return new Galt.Experiments.Data.MnistDataset(pixels.Select(b => b / 255f).ToArray(), labels, "synthetic");
    }

    public static string WriteDirectory(int trainCount = 500, int testCount = 200, bool gzip = true)
    {
        string dir = TempDir.Create();
        var (trainPixels, trainLabels) = Digits(trainCount, seed: 1);
        var (testPixels, testLabels) = Digits(testCount, seed: 2);
        void Write(string name, byte[] data) =>
            File.WriteAllBytes(Path.Combine(dir, gzip ? name + ".gz" : name), gzip ? Gzip(data) : data);
        Write("train-images-idx3-ubyte", ImageFile(trainPixels, trainCount));
        Write("train-labels-idx1-ubyte", LabelFile(trainLabels, trainCount));
        Write("t10k-images-idx3-ubyte", ImageFile(testPixels, testCount));
        Write("t10k-labels-idx1-ubyte", LabelFile(testLabels, testCount));
        return dir;
    }
}
