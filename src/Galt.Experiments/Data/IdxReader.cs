using System.Buffers.Binary;
using System.IO.Compression;

namespace Galt.Experiments.Data;

/// <summary>
/// Reads the IDX files MNIST is distributed in (big-endian header: magic 0x0000_08_NN with NN the number of
/// dimensions, then NN sizes, then unsigned bytes), raw or gzip-compressed. Every error names the file.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with 3 dimensions (images).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with 1 dimension (labels).</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Reads an image file: returns the pixels scaled to [0, 1] and the image count. Images must be 28×28.</summary>
    public static (float[] Pixels, int Count) ReadImages(string path) => ReadImages(ReadFile(path), path);

    /// <summary>Reads image-file content (raw or gzip) already in memory; <paramref name="path"/> names it in errors.</summary>
    internal static (float[] Pixels, int Count) ReadImages(byte[] file, string path)
    {
        byte[] bytes = Decompress(file, path);
        int magic = ReadHeaderInt(bytes, 0, path, "magic number");
        if (magic != ImageMagic)
            throw new GaltDataException($"{path}: not an IDX image file: magic number 0x{magic:X8}, expected 0x{ImageMagic:X8} (unsigned bytes, 3 dimensions).");
        int count = ReadHeaderInt(bytes, 4, path, "image count");
        int rows = ReadHeaderInt(bytes, 8, path, "row count");
        int cols = ReadHeaderInt(bytes, 12, path, "column count");
        if (rows != 28 || cols != 28)
            throw new GaltDataException($"{path}: images are {rows}x{cols}, expected 28x28 MNIST digits.");
        if (count < 0)
            throw new GaltDataException($"{path}: negative image count {count} in the header.");
        long expected = 16L + (long)count * rows * cols;
        if (bytes.Length < expected)
            throw new GaltDataException($"{path}: truncated: the header declares {count} images of {rows}x{cols} ({expected} bytes in all) but the file holds {bytes.Length} bytes.");
        if (bytes.Length > expected)
            throw new GaltDataException($"{path}: {bytes.Length - expected} unexpected bytes after the {count} images the header declares.");
        var pixels = new float[(long)count * rows * cols];
        for (long i = 0; i < pixels.Length; i++) pixels[i] = bytes[16 + i] / 255f;
        return (pixels, count);
    }

    /// <summary>Reads a label file; labels must be digits 0–9.</summary>
    public static byte[] ReadLabels(string path) => ReadLabels(ReadFile(path), path);

    /// <summary>Reads label-file content (raw or gzip) already in memory; <paramref name="path"/> names it in errors.</summary>
    internal static byte[] ReadLabels(byte[] file, string path)
    {
        byte[] bytes = Decompress(file, path);
        int magic = ReadHeaderInt(bytes, 0, path, "magic number");
        if (magic != LabelMagic)
            throw new GaltDataException($"{path}: not an IDX label file: magic number 0x{magic:X8}, expected 0x{LabelMagic:X8} (unsigned bytes, 1 dimension).");
        int count = ReadHeaderInt(bytes, 4, path, "label count");
        if (count < 0)
            throw new GaltDataException($"{path}: negative label count {count} in the header.");
        long expected = 8L + count;
        if (bytes.Length < expected)
            throw new GaltDataException($"{path}: truncated: the header declares {count} labels ({expected} bytes in all) but the file holds {bytes.Length} bytes.");
        if (bytes.Length > expected)
            throw new GaltDataException($"{path}: {bytes.Length - expected} unexpected bytes after the {count} labels the header declares.");
        var labels = bytes.AsSpan(8, count).ToArray();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 9)
                throw new GaltDataException($"{path}: label {labels[i]} at index {i} is not a digit 0-9.");
        return labels;
    }

    /// <summary>Reads an image file and its label file and checks that they hold the same number of items.</summary>
    public static MnistDataset ReadPair(string imagesPath, string labelsPath, string source)
    {
        var (pixels, count) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new GaltDataException($"image/label count mismatch: {imagesPath} holds {count} images but {labelsPath} holds {labels.Length} labels.");
        return new MnistDataset(pixels, labels, source);
    }

    private static byte[] ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new GaltDataException($"{path}: file not found.");
        return File.ReadAllBytes(path);
    }

    private static byte[] Decompress(byte[] raw, string path)
    {
        // gzip by content, not by name: users rename files.
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var output = new MemoryStream();
                gz.CopyTo(output);
                return output.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new GaltDataException($"{path}: corrupt or truncated gzip data: {e.Message}", e);
            }
        }
        return raw;
    }

    private static int ReadHeaderInt(byte[] bytes, int offset, string path, string what)
    {
        if (bytes.Length < offset + 4)
            throw new GaltDataException($"{path}: truncated: the file holds {bytes.Length} bytes, too few for the IDX header's {what} (bytes {offset}-{offset + 3}).");
        return BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
    }
}
