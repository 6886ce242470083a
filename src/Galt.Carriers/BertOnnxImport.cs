namespace Galt.Carriers;

/// <summary>What <see cref="BertOnnxWeights.Import"/> built from an ONNX graph.</summary>
/// <param name="Encoder">The encoder, float32 on the CPU, in eval mode, every parameter set from the graph and frozen.</param>
/// <param name="Assignments">One record per parameter: which initializer set it and how it was found.</param>
/// <param name="UnusedWeights">Float initializers of two or more elements the encoder does not use (MiniLM: the pooler, which sentence embeddings skip).</param>
/// <param name="HeadsFrom">Where the head count came from: the caller, or the graph's attention Reshape.</param>
public sealed record BertOnnxImport(BertEncoder Encoder, IReadOnlyList<WeightAssignment> Assignments, IReadOnlyList<string> UnusedWeights, string HeadsFrom);
