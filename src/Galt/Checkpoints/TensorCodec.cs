using static TorchSharp.torch;

namespace Galt.Checkpoints;

/// <summary>
/// Tensors as checkpoint entries: dtype (int32), rank (int32), each dimension (int64), then the values' bytes as stored
/// on the CPU (little-endian). Exact: a tensor read back equals the one written bit for bit. Restoring into an existing
/// tensor checks dtype and shape first and names the entry when they differ, writing nothing.
/// </summary>
internal static class TensorCodec
{
    /// <summary>The entry bytes of <paramref name="tensor"/> (copied from any device).</summary>
    public static byte[] Encode(Tensor tensor)
    {
        using var detached = tensor.detach();
        using var onCpu = detached.cpu();
        using var cpu = onCpu.contiguous();
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write((int)cpu.dtype);
            writer.Write(cpu.shape.Length);
            foreach (long d in cpu.shape) writer.Write(d);
            writer.Write(cpu.bytes);
        }
        return stream.ToArray();
    }

    /// <summary>A new CPU tensor from entry bytes; <paramref name="name"/> and <paramref name="path"/> name it in errors.</summary>
    public static Tensor Decode(byte[] entry, string name, string path)
    {
        var (dtype, shape, offset) = Header(entry, name, path);
        var result = empty(shape, dtype);
        result.bytes = entry.AsSpan(offset).ToArray();
        return result;
    }

    /// <summary>
    /// Copies entry bytes into <paramref name="target"/> in place, after checking that dtype and shape match (else a
    /// <see cref="CheckpointException"/> naming <paramref name="name"/>, the expected and the stored shape).
    /// </summary>
    public static void Restore(byte[] entry, Tensor target, string name, string path)
    {
        var (dtype, shape, _) = Header(entry, name, path);
        if (dtype != target.dtype || !shape.SequenceEqual(target.shape))
            throw new CheckpointException(path, $"tensor '{name}' is stored as {dtype} [{string.Join(", ", shape)}] but the model has {target.dtype} [{string.Join(", ", target.shape)}]; was the checkpoint taken with another model?");
        using var value = Decode(entry, name, path);
        using var noGrad = no_grad();
        target.copy_(value);
    }

    private static (ScalarType Dtype, long[] Shape, int Offset) Header(byte[] entry, string name, string path)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(entry));
            int code = reader.ReadInt32();
            var dtype = (ScalarType)code;
            // ScalarType is one byte wide, so the cast drops the high bytes; libtorch crashes or hangs on unknown codes: check before any native call.
            if ((int)dtype != code || !Enum.IsDefined(dtype)) throw new InvalidDataException($"dtype code {code} is not a tensor dtype");
            int rank = reader.ReadInt32();
            if (rank < 0 || rank > 16) throw new InvalidDataException($"rank {rank}");
            var shape = new long[rank];
            long count = 1;
            for (int i = 0; i < rank; i++)
            {
                shape[i] = reader.ReadInt64();
                if (shape[i] < 0) throw new InvalidDataException($"dimension {i} is {shape[i]}");
                // The value bytes are in the entry, so a count beyond its length is damage; checking here also keeps the product from overflowing.
                if (shape[i] != 0 && count > entry.Length / shape[i])
                    throw new InvalidDataException($"shape [{string.Join(", ", shape[..(i + 1)])}, ...] holds more values than the entry has bytes ({entry.Length})");
                count *= shape[i];
            }
            int offset = (int)reader.BaseStream.Position;
            using var probe = empty(0, dtype);
            long expected = count * probe.element_size();
            if (entry.Length - offset != expected) throw new InvalidDataException($"{entry.Length - offset} value bytes for {count} values of {dtype}");
            return (dtype, shape, offset);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw new CheckpointException(path, $"tensor '{name}' is malformed ({e.Message}).", e);
        }
    }
}
