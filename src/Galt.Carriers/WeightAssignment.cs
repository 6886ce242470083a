namespace Galt.Carriers;

/// <summary>One parameter of a carrier set from a pretrained tensor: the record the loader keeps of every assignment.</summary>
/// <param name="Parameter">The TorchSharp parameter's name, e.g. <c>layers.0.query.weight</c>.</param>
/// <param name="Source">The ONNX initializer it came from, e.g. <c>927</c> or <c>embeddings.LayerNorm.weight</c>.</param>
/// <param name="Shape">The parameter's shape.</param>
/// <param name="Transposed">Whether the initializer was transposed (a MatMul weight stored [in, out]).</param>
/// <param name="How">How the initializer was found, for reports, e.g. <c>MatMul_34 feeding Add_35 with encoder.layer.0.attention.self.query.bias</c>.</param>
public sealed record WeightAssignment(string Parameter, string Source, IReadOnlyList<long> Shape, bool Transposed, string How);
