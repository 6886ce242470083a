using Google.Protobuf;

namespace Galt.Carriers;

/// <summary>
/// Reads the parts of an ONNX <c>ModelProto</c> the carrier needs: the graph's nodes (name, op_type, inputs, outputs,
/// int/ints/float/tensor attributes), its initializers (name, dims, data_type, raw_data, float_data, int32_data,
/// int64_data, and whether the data is external), and its input and output names. Every other field is skipped.
/// </summary>
/// <remarks>
/// A minimal hand-written reader over Google.Protobuf's <see cref="CodedInputStream"/> rather than classes generated
/// from onnx.proto: no protoc step in the build, no generated file of thousands of lines checked in for a few fields,
/// and tensor data is sliced out of the input buffer instead of copied into a message object. The field numbers are
/// those of onnx/onnx.proto (ModelProto.graph = 7; GraphProto node = 1, initializer = 5, input = 11, output = 12;
/// NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; AttributeProto name = 1, f = 2, i = 3,
/// t = 5, ints = 8; TensorProto dims = 1, data_type = 2, segment = 3, float_data = 4, int32_data = 5, int64_data = 7,
/// name = 8, raw_data = 9, external_data = 13, data_location = 14; ValueInfoProto name = 1).
/// </remarks>
internal static class OnnxModelReader
{
    /// <summary>
    /// Parses <paramref name="model"/> (the bytes of a .onnx file). <paramref name="source"/> names the bytes in error
    /// messages. Throws <see cref="CarrierLoadException"/> when the bytes are not a protobuf ModelProto with a graph.
    /// The returned tensors share <paramref name="model"/>'s memory: do not change it while they are in use.
    /// </summary>
    public static OnnxGraph Read(byte[] model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            OnnxGraph? graph = null;
            var input = new CodedInputStream(model);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 7 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                    graph = ReadGraph(new Cursor(model, Delimited(input, model)));
                else input.SkipLastField();
            }
            return graph ?? throw new CarrierLoadException($"ONNX model '{source}' has no graph (ModelProto field 7); expected an ONNX model file.");
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new CarrierLoadException($"ONNX model '{source}' is not a valid protobuf ModelProto ({e.Message}); expected the bytes of an .onnx file.", e);
        }
    }

    /// <summary>A region [Start, Start + Length) of the model buffer holding one message's fields.</summary>
    private readonly record struct Region(int Start, int Length);

    /// <summary>
    /// A CodedInputStream over one region of the buffer. Its <see cref="CodedInputStream.Position"/> counts from the
    /// start of the whole buffer, not of the region, so nested regions are located by absolute offsets.
    /// </summary>
    private sealed class Cursor(byte[] buffer, Region region)
    {
        public readonly CodedInputStream Input = new(buffer, region.Start, region.Length);
        public readonly byte[] Buffer = buffer;

        public Region Delimited() => OnnxModelReader.Delimited(Input, Buffer);
        public Cursor Nested() => new(Buffer, Delimited());
    }

    /// <summary>
    /// The body of the length-delimited field whose tag was just read, found without copying it: skip the field, then
    /// take the body as the bytes after its varint length prefix.
    /// </summary>
    private static Region Delimited(CodedInputStream input, byte[] buffer)
    {
        int at = checked((int)input.Position);
        input.SkipLastField();
        int end = checked((int)input.Position);
        ulong length = 0;
        for (int shift = 0, i = at; ; shift += 7, i++)
        {
            if (i >= end || shift > 63) throw new FormatException("a malformed length prefix");
            length |= (ulong)(buffer[i] & 0x7F) << shift;
            if ((buffer[i] & 0x80) == 0) break;
        }
        return new Region(end - (int)length, (int)length);
    }

    private static OnnxGraph ReadGraph(Cursor graph)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        uint tag;
        while ((tag = graph.Input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: nodes.Add(ReadNode(graph.Nested())); break;
                case 5:
                    var tensor = ReadTensor(graph.Nested());
                    initializers[tensor.Name] = tensor;
                    break;
                case 11: inputs.Add(ReadValueInfoName(graph.Nested())); break;
                case 12: outputs.Add(ReadValueInfoName(graph.Nested())); break;
                default: graph.Input.SkipLastField(); break;
            }
        }
        inputs.RemoveAll(initializers.ContainsKey); // IR < 4 exporters list initializers among the inputs
        return new OnnxGraph(nodes, initializers, inputs, outputs);
    }

    private static string ReadValueInfoName(Cursor info)
    {
        string name = "";
        uint tag;
        while ((tag = info.Input.ReadTag()) != 0)
            if (WireFormat.GetTagFieldNumber(tag) == 1) name = info.Input.ReadString();
            else info.Input.SkipLastField();
        return name;
    }

    private static OnnxNode ReadNode(Cursor node)
    {
        string name = "", opType = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>();
        uint tag;
        while ((tag = node.Input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: inputs.Add(node.Input.ReadString()); break;
                case 2: outputs.Add(node.Input.ReadString()); break;
                case 3: name = node.Input.ReadString(); break;
                case 4: opType = node.Input.ReadString(); break;
                case 5:
                    var attribute = ReadAttribute(node.Nested());
                    attributes[attribute.Name] = attribute;
                    break;
                default: node.Input.SkipLastField(); break;
            }
        }
        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    private static OnnxAttribute ReadAttribute(Cursor attribute)
    {
        string name = "";
        long? i = null;
        float? f = null;
        OnnxTensor? t = null;
        var ints = new List<long>();
        uint tag;
        while ((tag = attribute.Input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: name = attribute.Input.ReadString(); break;
                case 2: f = attribute.Input.ReadFloat(); break;
                case 3: i = attribute.Input.ReadInt64(); break;
                case 5: t = ReadTensor(attribute.Nested()); break;
                case 8: ReadRepeated(attribute, tag, ints, s => s.ReadInt64()); break;
                default: attribute.Input.SkipLastField(); break;
            }
        }
        return new OnnxAttribute(name, i, ints, f, t);
    }

    private static OnnxTensor ReadTensor(Cursor tensor)
    {
        string name = "";
        int dataType = 0;
        bool external = false;
        var dims = new List<long>();
        var floats = new List<float>();
        var int32s = new List<int>();
        var int64s = new List<long>();
        ReadOnlyMemory<byte> raw = ReadOnlyMemory<byte>.Empty;
        uint tag;
        while ((tag = tensor.Input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ReadRepeated(tensor, tag, dims, s => s.ReadInt64()); break;
                case 2: dataType = tensor.Input.ReadInt32(); break;
                case 3: throw new CarrierLoadException($"ONNX tensor '{name}' is stored in segments; only whole tensors are supported.");
                case 4: ReadRepeated(tensor, tag, floats, s => s.ReadFloat()); break;
                case 5: ReadRepeated(tensor, tag, int32s, s => s.ReadInt32()); break;
                case 7: ReadRepeated(tensor, tag, int64s, s => s.ReadInt64()); break;
                case 8: name = tensor.Input.ReadString(); break;
                case 9:
                    var body = tensor.Delimited();
                    raw = new ReadOnlyMemory<byte>(tensor.Buffer, body.Start, body.Length);
                    break;
                case 13: external = true; tensor.Input.SkipLastField(); break;
                case 14: external |= tensor.Input.ReadEnum() == 1; break;
                default: tensor.Input.SkipLastField(); break;
            }
        }
        return new OnnxTensor(name, dims.ToArray(), dataType, raw, floats.ToArray(), int64s.ToArray(), int32s.ToArray(), external);
    }

    /// <summary>A repeated scalar field, packed (one length-delimited run) or not (one value per tag).</summary>
    private static void ReadRepeated<T>(Cursor message, uint tag, List<T> into, Func<CodedInputStream, T> read)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            into.Add(read(message.Input));
            return;
        }
        var packed = message.Nested();
        while (!packed.Input.IsAtEnd) into.Add(read(packed.Input));
    }
}
