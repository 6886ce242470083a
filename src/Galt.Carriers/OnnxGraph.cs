namespace Galt.Carriers;

/// <summary>
/// The parts of an ONNX model's <c>GraphProto</c> the carrier needs: the nodes in file order, the initializers (the
/// weights) by name, and the names of the graph's inputs and outputs.
/// </summary>
/// <param name="Nodes">The operator nodes, in the file's (topological) order.</param>
/// <param name="Initializers">The initializer tensors by name.</param>
/// <param name="Inputs">Names of the graph's inputs (initializers listed as inputs by old exporters excluded).</param>
/// <param name="Outputs">Names of the graph's outputs.</param>
internal sealed record OnnxGraph(IReadOnlyList<OnnxNode> Nodes, IReadOnlyDictionary<string, OnnxTensor> Initializers, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    /// <summary>The node that writes <paramref name="value"/>, or null when it is a graph input or an initializer.</summary>
    public OnnxNode? Producer(string value) => _producers.Value.TryGetValue(value, out var node) ? node : null;

    /// <summary>The nodes that read <paramref name="value"/>.</summary>
    public IReadOnlyList<OnnxNode> Consumers(string value) => _consumers.Value.TryGetValue(value, out var nodes) ? nodes : Array.Empty<OnnxNode>();

    /// <summary>
    /// The constant tensor behind <paramref name="value"/>: an initializer, or the <c>value</c> of the <c>Constant</c>
    /// node that writes it; null when it is computed.
    /// </summary>
    public OnnxTensor? Constant(string value) =>
        Initializers.TryGetValue(value, out var tensor) ? tensor
        : Producer(value) is { OpType: "Constant" } node && node.Attributes.TryGetValue("value", out var a) ? a.Tensor
        : null;

    private readonly Lazy<Dictionary<string, OnnxNode>> _producers = new(() =>
        Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0).Select(o => (o, n))).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().n));

    private readonly Lazy<Dictionary<string, List<OnnxNode>>> _consumers = new(() =>
        Nodes.SelectMany(n => n.Inputs.Where(i => i.Length > 0).Distinct().Select(i => (i, n))).GroupBy(p => p.i).ToDictionary(g => g.Key, g => g.Select(p => p.n).ToList()));
}
