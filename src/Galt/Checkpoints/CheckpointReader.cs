using static TorchSharp.torch;

namespace Galt.Checkpoints;

/// <summary>
/// Reads named entries of a checkpoint (scoped like <see cref="CheckpointWriter"/>); every refusal is a
/// <see cref="CheckpointException"/> naming the file and the entry (missing, malformed, or a tensor of another shape).
/// </summary>
public sealed class CheckpointReader
{
    private readonly IReadOnlyDictionary<string, byte[]> _entries;
    private readonly string _prefix;

    /// <summary>Reads <paramref name="entries"/> of the checkpoint file <paramref name="path"/> (named in errors).</summary>
    public CheckpointReader(IReadOnlyDictionary<string, byte[]> entries, string path) : this(entries, path, "") { }

    private CheckpointReader(IReadOnlyDictionary<string, byte[]> entries, string path, string prefix)
    {
        _entries = entries;
        Path = path;
        _prefix = prefix;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>A reader of the names under <paramref name="name"/>/.</summary>
    public CheckpointReader Scope(string name) => new(_entries, Path, _prefix + name + "/");

    /// <summary>Prepares <paramref name="state"/> from the scope <paramref name="name"/>.</summary>
    public Action Part(string name, ICheckpointable state) => state.Prepare(Scope(name));

    /// <summary>True when the entry exists.</summary>
    public bool Has(string name) => _entries.ContainsKey(_prefix + name);

    /// <summary>A refusal naming this file and the entry.</summary>
    public CheckpointException Error(string name, string message) => new(Path, $"entry '{_prefix + name}': {message}");

    /// <summary>The raw bytes of an entry.</summary>
    public byte[] Bytes(string name) =>
        _entries.TryGetValue(_prefix + name, out var value) ? value : throw Error(name, "missing; was the checkpoint written by another kind of run?");

    /// <summary>A tensor as a new CPU tensor.</summary>
    public Tensor Tensor(string name) => TensorCodec.Decode(Bytes(name), _prefix + name, Path);

    /// <summary>
    /// A tensor decoded, checked against <paramref name="like"/>'s dtype and shape (else the error names the entry and
    /// both shapes), and placed on <paramref name="like"/>'s device.
    /// </summary>
    public Tensor TensorLike(string name, Tensor like)
    {
        var value = Tensor(name);
        if (value.dtype == like.dtype && value.shape.SequenceEqual(like.shape))
        {
            if (value.device == like.device) return value;
            var moved = value.to(like.device);
            value.Dispose();
            return moved;
        }
        var stored = $"{value.dtype} [{string.Join(", ", value.shape)}]";
        value.Dispose();
        throw new CheckpointException(Path, $"tensor '{_prefix + name}' is stored as {stored} but the model has {like.dtype} [{string.Join(", ", like.shape)}]; was the checkpoint taken with another model?");
    }

    /// <summary>
    /// A tensor decoded and checked against <paramref name="target"/> now (<see cref="TensorLike"/>); the returned action
    /// copies it into <paramref name="target"/> and disposes the decoded copy.
    /// </summary>
    public Action TensorInto(string name, Tensor target)
    {
        var value = TensorLike(name, target);
        return () =>
        {
            using (no_grad()) target.copy_(value);
            value.Dispose();
        };
    }

    /// <summary>A float64.</summary>
    public double Double(string name) => BitConverter.ToDouble(Sized(name, 8));

    /// <summary>An int64.</summary>
    public long Long(string name) => BitConverter.ToInt64(Sized(name, 8));

    /// <summary>An int32.</summary>
    public int Int(string name) => BitConverter.ToInt32(Sized(name, 4));

    /// <summary>A boolean.</summary>
    public bool Bool(string name) => Sized(name, 1)[0] switch
    {
        0 => false,
        1 => true,
        var b => throw Error(name, $"byte {b} is not a boolean."),
    };

    /// <summary>A UTF-8 string.</summary>
    public string String(string name)
    {
        try { return new System.Text.UTF8Encoding(false, true).GetString(Bytes(name)); }
        catch (ArgumentException) { throw Error(name, "not valid UTF-8."); }
    }

    /// <summary>float64 values.</summary>
    public double[] Doubles(string name) => Unpack(name, 8, s => BitConverter.ToDouble(s));

    /// <summary>int64 values.</summary>
    public long[] Longs(string name) => Unpack(name, 8, s => BitConverter.ToInt64(s));

    /// <summary>Strings.</summary>
    public string[] Strings(string name)
    {
        var bytes = Bytes(name);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), new System.Text.UTF8Encoding(false, true));
            int count = reader.ReadInt32();
            if (count < 0 || count > bytes.Length) throw new InvalidDataException($"count {count}");
            var values = new string[count];
            for (int i = 0; i < count; i++) values[i] = reader.ReadString();
            if (reader.BaseStream.Position != bytes.Length) throw new InvalidDataException("trailing bytes");
            return values;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or IOException)
        {
            throw Error(name, $"malformed string list ({e.Message}).");
        }
    }

    private byte[] Sized(string name, int size)
    {
        var bytes = Bytes(name);
        return bytes.Length == size ? bytes : throw Error(name, $"{bytes.Length} bytes where {size} were expected.");
    }

    private T[] Unpack<T>(string name, int size, Func<ReadOnlySpan<byte>, T> read)
    {
        var bytes = Bytes(name);
        if (bytes.Length % size != 0) throw Error(name, $"{bytes.Length} bytes is not a whole number of {size}-byte values.");
        var values = new T[bytes.Length / size];
        for (int i = 0; i < values.Length; i++) values[i] = read(bytes.AsSpan(i * size, size));
        return values;
    }
}
