namespace Galt.Carriers;

/// <summary>One ONNX <c>NodeProto</c>: an operator applied to named values, with the attributes the carrier reads.</summary>
/// <param name="Name">The node's name (may be empty).</param>
/// <param name="OpType">The operator, e.g. <c>MatMul</c>, <c>Add</c>, <c>Reshape</c>.</param>
/// <param name="Inputs">Names of the values it reads, in order (an empty name is an omitted optional input).</param>
/// <param name="Outputs">Names of the values it writes, in order.</param>
/// <param name="Attributes">Its attributes that hold an int, ints, a float or a tensor, by name.</param>
internal sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, OnnxAttribute> Attributes);

/// <summary>
/// One ONNX <c>AttributeProto</c>, reduced to the value kinds the carrier uses: an int (<c>i</c>), ints, a float
/// (<c>f</c>) or a tensor (<c>t</c>, the value of a <c>Constant</c> node). Unused kinds are skipped on reading.
/// </summary>
/// <param name="Name">The attribute name, e.g. <c>value</c>, <c>axis</c>, <c>epsilon</c>.</param>
/// <param name="Int">The <c>i</c> field, when present.</param>
/// <param name="Ints">The <c>ints</c> field (empty when absent).</param>
/// <param name="Float">The <c>f</c> field, when present.</param>
/// <param name="Tensor">The <c>t</c> field, when present.</param>
internal sealed record OnnxAttribute(string Name, long? Int, IReadOnlyList<long> Ints, float? Float, OnnxTensor? Tensor);
