using static TorchSharp.torch;

namespace Galt.Checkpoints;

/// <summary>
/// Collects named checkpoint entries. Names are scoped with '/' (<see cref="Scope"/>), so each part of the training
/// state writes its own names without knowing where it sits. Numbers are stored as their exact bits (little-endian).
/// </summary>
public sealed class CheckpointWriter
{
    private readonly Dictionary<string, byte[]> _entries;
    private readonly string _prefix;

    /// <summary>An empty checkpoint.</summary>
    public CheckpointWriter() : this(new Dictionary<string, byte[]>(StringComparer.Ordinal), "") { }

    private CheckpointWriter(Dictionary<string, byte[]> entries, string prefix)
    {
        _entries = entries;
        _prefix = prefix;
    }

    /// <summary>Everything written so far, by full name.</summary>
    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    /// <summary>A writer whose names are prefixed with <paramref name="name"/>/ (sharing this writer's entries).</summary>
    public CheckpointWriter Scope(string name) => new(_entries, _prefix + name + "/");

    /// <summary>Writes <paramref name="state"/> under the scope <paramref name="name"/>.</summary>
    public void Part(string name, ICheckpointable state) => state.Save(Scope(name));

    /// <summary>Raw bytes.</summary>
    public void Bytes(string name, byte[] value)
    {
        if (!_entries.TryAdd(_prefix + name, value)) throw new InvalidOperationException($"checkpoint entry '{_prefix + name}' was written twice.");
    }

    /// <summary>A tensor, exactly (<see cref="TensorCodec"/>).</summary>
    public void Tensor(string name, Tensor value) => Bytes(name, TensorCodec.Encode(value));

    /// <summary>A float64, its exact bits.</summary>
    public void Double(string name, double value) => Bytes(name, BitConverter.GetBytes(value));

    /// <summary>An int64.</summary>
    public void Long(string name, long value) => Bytes(name, BitConverter.GetBytes(value));

    /// <summary>An int32.</summary>
    public void Int(string name, int value) => Bytes(name, BitConverter.GetBytes(value));

    /// <summary>A boolean.</summary>
    public void Bool(string name, bool value) => Bytes(name, new[] { value ? (byte)1 : (byte)0 });

    /// <summary>A UTF-8 string.</summary>
    public void String(string name, string value) => Bytes(name, System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>float64 values, their exact bits.</summary>
    public void Doubles(string name, IReadOnlyList<double> values) => Bytes(name, Pack(values, 8, (span, v) => BitConverter.TryWriteBytes(span, v)));

    /// <summary>int64 values.</summary>
    public void Longs(string name, IReadOnlyList<long> values) => Bytes(name, Pack(values, 8, (span, v) => BitConverter.TryWriteBytes(span, v)));

    /// <summary>Strings (each length-prefixed UTF-8).</summary>
    public void Strings(string name, IReadOnlyList<string> values)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(values.Count);
            foreach (var v in values) writer.Write(v);
        }
        Bytes(name, stream.ToArray());
    }

    private static byte[] Pack<T>(IReadOnlyList<T> values, int size, Func<Span<byte>, T, bool> write)
    {
        var bytes = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++) write(bytes.AsSpan(i * size, size), values[i]);
        return bytes;
    }
}
