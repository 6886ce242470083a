using Google.Protobuf;

namespace Galt.Tests.Carriers;

/// <summary>
/// A tiny BERT (vocabulary 10, hidden 4, one layer, feed-forward 6, 8 positions) serialised as an ONNX ModelProto with
/// CodedOutputStream, shaped like the HuggingFace export: named embeddings, LayerNorms and biases, and each linear's
/// weight an anonymous MatMul initializer [in, out] feeding an Add of its named bias. Options drop or alter tensors.
/// </summary>
internal sealed class TinyBertOnnx
{
    public const int Vocabulary = 10, Hidden = 4, Ffn = 6, Positions = 8;

    public static readonly (string Prefix, string MatMulWeight, int In, int Out)[] Linears =
    {
        ("encoder.layer.0.attention.self.query", "w_query", Hidden, Hidden),
        ("encoder.layer.0.attention.self.key", "w_key", Hidden, Hidden),
        ("encoder.layer.0.attention.self.value", "w_value", Hidden, Hidden),
        ("encoder.layer.0.attention.output.dense", "w_attention_output", Hidden, Hidden),
        ("encoder.layer.0.intermediate.dense", "w_intermediate", Hidden, Ffn),
        ("encoder.layer.0.output.dense", "w_output", Ffn, Hidden),
    };

    /// <summary>Initializers to leave out.</summary>
    public HashSet<string> Omit { get; } = new();

    /// <summary>Initializers whose declared shape is replaced (data resized to match).</summary>
    public Dictionary<string, long[]> Reshape { get; } = new();

    /// <summary>Initializers stored as int64 instead of float32.</summary>
    public HashSet<string> AsInt64 { get; } = new();

    /// <summary>Initializers marked as external data.</summary>
    public HashSet<string> External { get; } = new();

    /// <summary>Every float initializer's values as written (row-major), by name.</summary>
    public Dictionary<string, float[]> Values { get; } = new();

    public byte[] Build(int seed = 5)
    {
        var random = new Random(seed);
        var tensors = new List<(string Name, long[] Dims)>
        {
            ("embeddings.word_embeddings.weight", new long[] { Vocabulary, Hidden }),
            ("embeddings.position_embeddings.weight", new long[] { Positions, Hidden }),
            ("embeddings.token_type_embeddings.weight", new long[] { 2, Hidden }),
            ("embeddings.LayerNorm.weight", new long[] { Hidden }),
            ("embeddings.LayerNorm.bias", new long[] { Hidden }),
        };
        foreach (var (prefix, weight, inputs, outputs) in Linears)
        {
            tensors.Add((weight, new long[] { inputs, outputs }));
            tensors.Add(($"{prefix}.bias", new long[] { outputs }));
        }
        foreach (var norm in new[] { "encoder.layer.0.attention.output.LayerNorm", "encoder.layer.0.output.LayerNorm" })
        {
            tensors.Add(($"{norm}.weight", new long[] { Hidden }));
            tensors.Add(($"{norm}.bias", new long[] { Hidden }));
        }

        var graph = new List<byte[]>();
        var nodes = new List<byte[]>();
        foreach (var (prefix, weight, _, _) in Linears)
        {
            string product = $"{weight}_product";
            nodes.Add(Node($"MatMul_{weight}", "MatMul", new[] { "hidden_in", weight }, new[] { product }));
            nodes.Add(Node($"Add_{weight}", "Add", new[] { $"{prefix}.bias", product }, new[] { $"{weight}_sum" }));
        }
        int index = 0;
        var initializers = new List<byte[]>();
        foreach (var (name, declared) in tensors)
        {
            if (Omit.Contains(name)) continue;
            var dims = Reshape.TryGetValue(name, out var changed) ? changed : declared;
            long count = dims.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            Values[name] = values;
            initializers.Add(Tensor(name, dims, values, usePackedFloatData: index++ % 2 == 1, AsInt64.Contains(name), External.Contains(name)));
        }
        var graphBody = Message(o =>
        {
            foreach (var node in nodes) Field(o, 1, node);
            Field(o, 2, System.Text.Encoding.UTF8.GetBytes("tiny_bert"));
            foreach (var initializer in initializers) Field(o, 5, initializer);
            foreach (var input in new[] { "input_ids", "attention_mask" }) Field(o, 11, Message(v => { v.WriteTag(1, WireFormat.WireType.LengthDelimited); v.WriteString(input); }));
        });
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(8); // ir_version
            Field(o, 7, graphBody);
        });
    }

    private static byte[] Node(string name, string opType, string[] inputs, string[] outputs) => Message(o =>
    {
        foreach (var input in inputs) { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(input); }
        foreach (var output in outputs) { o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString(output); }
        o.WriteTag(3, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteString(opType);
    });

    /// <summary>A TensorProto: dims unpacked, then float data either as raw_data or as packed float_data.</summary>
    private static byte[] Tensor(string name, long[] dims, float[] values, bool usePackedFloatData, bool asInt64, bool external) => Message(o =>
    {
        foreach (var d in dims) { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(d); }
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32(asInt64 ? 7 : 1);
        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        if (external)
        {
            o.WriteTag(14, WireFormat.WireType.Varint);
            o.WriteEnum(1);
            return;
        }
        if (asInt64)
        {
            var raw = values.SelectMany(v => BitConverter.GetBytes((long)Math.Round(v * 10))).ToArray();
            Field(o, 9, raw);
        }
        else if (usePackedFloatData)
            Field(o, 4, Message(p => { foreach (var v in values) p.WriteFloat(v); }));
        else
            Field(o, 9, values.SelectMany(BitConverter.GetBytes).ToArray());
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    private static void Field(CodedOutputStream output, int number, byte[] body)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(body));
    }
}
