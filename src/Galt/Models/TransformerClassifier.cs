using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A small transformer encoder for sequence classification: token and position embeddings, pre-norm
/// <see cref="EncoderBlock"/>s, a final LayerNorm, mean pooling over positions and a Linear head. Input: token ids
/// [batch, sequence] (int64); output: class scores [batch, classes]. Every parameter sits in a layer the batched
/// Jacobian path supports.
/// </summary>
public sealed class TransformerClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens, positions;
    private readonly ModuleList<EncoderBlock> blocks = new();
    private readonly LayerNorm norm;
    private readonly Linear head;

    /// <summary>Creates the model.</summary>
    public TransformerClassifier(int vocabulary, int maxLength, int modelWidth = 128, int heads = 4, int layers = 2, int classes = 10) : base(nameof(TransformerClassifier))
    {
        MaxLength = maxLength;
        tokens = nn.Embedding(vocabulary, modelWidth);
        positions = nn.Embedding(maxLength, modelWidth);
        for (int i = 0; i < layers; i++) blocks.Add(new EncoderBlock(modelWidth, heads));
        norm = nn.LayerNorm(modelWidth);
        head = nn.Linear(modelWidth, classes);
        RegisterComponents();
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLength { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor ids)
    {
        long n = ids.shape[0], t = ids.shape[1];
        if (t > MaxLength) throw new ArgumentException($"sequence length {t} exceeds the model's maximum {MaxLength}.");
        // Positions are looked up per example ([n, t]), so every layer input keeps the batch dimension first.
        var position = arange(t, dtype: ScalarType.Int64, device: ids.device).unsqueeze(0).expand(n, t);
        var x = tokens.call(ids) + positions.call(position);
        foreach (var block in blocks) x = block.call(x);
        return head.call(norm.call(x).mean(new long[] { 1 }));
    }
}
