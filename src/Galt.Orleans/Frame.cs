namespace Galt.Orleans;

/// <summary>
/// The bytes of one message between the coordinator and a block grain: inline when they fit in one Orleans message, or a
/// reference to a transfer staged in parts (Orleans refuses message bodies above 100 MiB by default). Immutable: Orleans
/// neither copies it on a same-silo call nor writes a header per element, as it would for a <c>float[]</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Galt.Orleans.Frame")]
internal sealed record Frame
{
    /// <summary>The bytes, when inline.</summary>
    [Id(0)] public ReadOnlyMemory<byte> Bytes { get; init; }

    /// <summary>Non-zero: the bytes were staged under this transfer id in <see cref="Parts"/> parts.</summary>
    [Id(1)] public long Transfer { get; init; }

    /// <summary>Parts of a staged transfer.</summary>
    [Id(2)] public int Parts { get; init; }

    /// <summary>Total length in bytes.</summary>
    [Id(3)] public long Length { get; init; }

    /// <summary>
    /// A reply's: the block's seconds computing it on its silo (decoding, the node's round, encoding), as the grain
    /// thread's CPU time where the platform gives it (the round runs on that thread with one libtorch thread).
    /// </summary>
    [Id(4)] public double Seconds { get; init; }
}

/// <summary>Named byte entries (<see cref="Galt.Graph.BlockWire"/>'s format) as one byte stream, and back.</summary>
internal static class EntryStream
{
    public static byte[] Pack(IReadOnlyDictionary<string, byte[]> entries)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(entries.Count);
            foreach (var (name, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                writer.Write(name);
                writer.Write(value.Length);
                writer.Write(value);
            }
        }
        return stream.ToArray();
    }

    public static IReadOnlyDictionary<string, byte[]> Unpack(ReadOnlySpan<byte> bytes, string origin)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes.ToArray()));
            int count = reader.ReadInt32();
            if (count < 0) throw new InvalidDataException($"{count} entries");
            var entries = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                int length = reader.ReadInt32();
                if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position) throw new InvalidDataException($"entry '{name}' claims {length} bytes");
                entries[name] = reader.ReadBytes(length);
            }
            return entries;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new InvalidDataException($"{origin}: malformed entry stream ({e.Message}).", e);
        }
    }
}
