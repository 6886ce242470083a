using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A small transformer encoder for sequence classification: a <see cref="TransformerTrunk"/> (embeddings, pre-norm
/// GELU <see cref="EncoderBlock"/>s, final LayerNorm), mean pooling over positions and a Linear head. Input: token ids
/// [batch, sequence] (int64); output: class scores [batch, classes]. Every parameter sits in a layer the batched
/// Jacobian path supports.
/// </summary>
public sealed class TransformerClassifier : nn.Module<Tensor, Tensor>
{
    private readonly TransformerTrunk trunk;
    private readonly Linear head;

    /// <summary>Creates the model.</summary>
    public TransformerClassifier(int vocabulary, int maxLength, int modelWidth = 128, int heads = 4, int layers = 2, int classes = 10) : base(nameof(TransformerClassifier))
    {
        trunk = new TransformerTrunk(vocabulary, maxLength, modelWidth, heads, layers);
        head = nn.Linear(modelWidth, classes);
        RegisterComponents();
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLength => trunk.MaxLength;

    /// <inheritdoc />
    public override Tensor forward(Tensor ids) => head.call(trunk.call(ids).mean(new long[] { 1 }));
}
