using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Galt.Carriers;

/// <summary>
/// One ONNX <c>TensorProto</c> as read by <see cref="OnnxModelReader"/>: its name, shape, element type and data, kept
/// as the raw little-endian bytes (<c>raw_data</c>) or the typed arrays (<c>float_data</c>, <c>int64_data</c>,
/// <c>int32_data</c>) the file used. Tensors whose data lives in an external file are recorded, never read.
/// </summary>
internal sealed class OnnxTensor
{
    /// <summary>ONNX <c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int Float = 1;

    /// <summary>ONNX <c>TensorProto.DataType.INT32</c>.</summary>
    public const int Int32 = 6;

    /// <summary>ONNX <c>TensorProto.DataType.INT64</c>.</summary>
    public const int Int64 = 7;

    internal OnnxTensor(string name, long[] dims, int dataType, ReadOnlyMemory<byte> raw, float[] floats, long[] int64s, int[] int32s, bool external)
    {
        Name = name;
        Dims = dims;
        DataType = dataType;
        _raw = raw;
        _floats = floats;
        _int64s = int64s;
        _int32s = int32s;
        IsExternal = external;
    }

    private readonly ReadOnlyMemory<byte> _raw;
    private readonly float[] _floats;
    private readonly long[] _int64s;
    private readonly int[] _int32s;

    /// <summary>The tensor's name (an initializer's name is how the graph refers to it).</summary>
    public string Name { get; }

    /// <summary>The shape, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>The ONNX element type (<see cref="Float"/>, <see cref="Int64"/>, ...).</summary>
    public int DataType { get; }

    /// <summary>Whether the data lives in an external file (<c>data_location = EXTERNAL</c> or <c>external_data</c> set).</summary>
    public bool IsExternal { get; }

    /// <summary>Number of elements: the product of <see cref="Dims"/>.</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as text, e.g. <c>[384, 1536]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Dims)}]";

    /// <summary>The elements of a float32 tensor, row-major. Throws naming the tensor when it is external, not float32, or its data does not match its shape.</summary>
    public float[] ToFloats()
    {
        Require(Float, "float32");
        var values = _raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(_raw.Span).ToArray() : _floats;
        if (!BitConverter.IsLittleEndian && _raw.Length > 0)
            for (int i = 0; i < values.Length; i++)
                values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(values[i])));
        return CheckCount(values, _raw.Length > 0 ? _raw.Length % 4 : 0);
    }

    /// <summary>The elements of an int64 (or int32) tensor, row-major. Throws naming the tensor otherwise.</summary>
    public long[] ToInt64s()
    {
        if (IsExternal) throw new CarrierLoadException($"ONNX tensor '{Name}' keeps its data in an external file; only tensors stored inside the model are supported.");
        if (DataType == Int32) return CheckCount(_raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(_raw.Span).ToArray().Select(v => (long)v).ToArray() : _int32s.Select(v => (long)v).ToArray(), _raw.Length % 4);
        Require(Int64, "int64");
        return CheckCount(_raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(_raw.Span).ToArray() : _int64s, _raw.Length % 8);
    }

    private void Require(int dataType, string typeName)
    {
        if (IsExternal) throw new CarrierLoadException($"ONNX tensor '{Name}' keeps its data in an external file; only tensors stored inside the model are supported.");
        if (DataType != dataType) throw new CarrierLoadException($"ONNX tensor '{Name}' has element type {DataType}; expected {dataType} ({typeName}).");
    }

    private T[] CheckCount<T>(T[] values, int leftoverBytes)
    {
        if (values.LongLength != ElementCount || leftoverBytes != 0)
            throw new CarrierLoadException($"ONNX tensor '{Name}' of shape {ShapeText} holds {values.LongLength} elements{(leftoverBytes != 0 ? " and a partial one" : "")}; expected {ElementCount}.");
        return values;
    }
}
