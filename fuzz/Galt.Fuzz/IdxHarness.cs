using System.Buffers.Binary;
using System.IO.Compression;
using Galt.Experiments.Data;

namespace Galt.Fuzz;

/// <summary>The MNIST IDX reader (<see cref="IdxReader"/>): every input goes to both the image and the label reader, raw or gzip.</summary>
internal sealed class IdxHarness : Harness
{
    /// <inheritdoc />
    public override string Name => "idx";

    /// <inheritdoc />
    public override string Summary => "MNIST IDX files, raw or gzip (IdxReader.ReadImages and ReadLabels on the same bytes)";

    /// <inheritdoc />
    protected override void Read(byte[] input)
    {
        Refusable(() => IdxReader.ReadImages(input, Source));
        Refusable(() => IdxReader.ReadLabels(input, Source));
    }

    /// <inheritdoc />
    protected override bool IsRefusal(Exception e) => e is GaltDataException;

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Content)> Seeds()
    {
        byte[] images = Images(2), labels = Labels(3, 1, 4);
        yield return ("images-2", images);
        yield return ("images-0", Images(0));
        yield return ("images-2.gz", Gzip(images));
        yield return ("images-truncated", images[..200]);
        yield return ("labels-3", labels);
        yield return ("labels-0", Labels());
        yield return ("labels-3.gz", Gzip(labels));
        yield return ("labels-not-digit", Labels(3, 12, 4));
        yield return ("labels-3.gz-truncated", Gzip(labels)[..^4]);
    }

    private static byte[] Images(int count)
    {
        var bytes = new byte[16 + count * 28 * 28];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.ImageMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 28);
        for (int i = 16; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
        return bytes;
    }

    private static byte[] Labels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.LabelMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    private static byte[] Gzip(byte[] content)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true)) gz.Write(content);
        return output.ToArray();
    }
}
