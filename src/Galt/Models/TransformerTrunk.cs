using TorchSharp;
using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// The shared body of the library's transformers: token and learned position embeddings, pre-norm
/// <see cref="EncoderBlock"/>s and a final LayerNorm. Input: token ids [batch, sequence] (int64); output: hidden states
/// [batch, sequence, width]. Every parameter sits in a layer the batched Jacobian path supports.
/// </summary>
public sealed class TransformerTrunk : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens, positions;
    private readonly ModuleList<EncoderBlock> blocks = new();
    private readonly LayerNorm norm;

    /// <summary>Creates the trunk.</summary>
    /// <param name="vocabulary">Token ids 0..vocabulary−1.</param>
    /// <param name="maxLength">Longest sequence (learned positions).</param>
    /// <param name="width">d_model.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="layers">Encoder blocks.</param>
    /// <param name="activation">Feed-forward non-linearity.</param>
    /// <param name="causal">Causal attention (position i sees positions ≤ i).</param>
    /// <param name="attentionBias">Biases on the q/k/v/o projections.</param>
    /// <param name="embeddingStd">Re-draw both embeddings from N(0, std²) (MLX draws std = √(1/width)); null keeps TorchSharp's N(0, 1).</param>
    public TransformerTrunk(int vocabulary, int maxLength, int width, int heads, int layers, FeedForwardActivation activation = FeedForwardActivation.Gelu,
        bool causal = false, bool attentionBias = true, double? embeddingStd = null) : base(nameof(TransformerTrunk))
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), $"need at least one encoder block; got {layers}.");
        MaxLength = maxLength;
        Width = width;
        tokens = nn.Embedding(vocabulary, width);
        positions = nn.Embedding(maxLength, width);
        if (embeddingStd is { } std)
            using (no_grad())
            {
                // An Embedding's weight getter makes a new wrapper on every read: dispose it after use.
                using (var tokenWeight = tokens.weight!) nn.init.normal_(tokenWeight, 0, std);
                using (var positionWeight = positions.weight!) nn.init.normal_(positionWeight, 0, std);
            }
        for (int i = 0; i < layers; i++) blocks.Add(new EncoderBlock(width, heads, activation, causal, attentionBias));
        norm = nn.LayerNorm(width);
        RegisterComponents();
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLength { get; }

    /// <summary>d_model.</summary>
    public int Width { get; }

    /// <summary>The encoder blocks, input side first (a routed carrier runs them one by one).</summary>
    public IReadOnlyList<EncoderBlock> Layers => _layers ??= blocks.ToList();

    private IReadOnlyList<EncoderBlock>? _layers;

    /// <inheritdoc />
    public override Tensor forward(Tensor ids)
    {
        var x = Embed(ids);
        foreach (var block in blocks) x = block.call(x);
        return Normalize(x);
    }

    /// <summary>Token plus position embeddings of ids [batch, sequence]: the input of the first block.</summary>
    public Tensor Embed(Tensor ids)
    {
        if (ids.dim() != 2) throw new ArgumentException($"token ids must be [batch, sequence]; got shape [{string.Join(", ", ids.shape)}].", nameof(ids));
        long n = ids.shape[0], t = ids.shape[1];
        if (t > MaxLength) throw new ArgumentException($"sequence length {t} exceeds the model's maximum {MaxLength}.", nameof(ids));
        // Positions are looked up per example ([n, t]), so every layer input keeps the batch dimension first.
        var position = ExplicitScalars.Range(t, ScalarType.Int64, ids.device).unsqueeze(0).expand(n, t);
        return tokens.call(ids).Plus(positions.call(position));
    }

    /// <summary>The final LayerNorm, applied after the last block.</summary>
    public Tensor Normalize(Tensor hidden) => norm.call(hidden);
}
