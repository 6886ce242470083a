using Galt.Models;
using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// A BERT encoder as a block-structured carrier: <see cref="Embeddings"/>, then <see cref="Layers"/> in order, each a
/// post-norm transformer layer. The stages are exposed separately so a caller can run embed → layer 0..N−1 with its own
/// code between layers; <see cref="forward"/> runs them all and returns the last hidden state [batch, T, hidden].
/// </summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The additive score bias on padded keys, as in the exported graph: (1 − mask)·(−10000).</summary>
    public const float MaskedScore = -10000f;

    private static readonly Scalar MaskedScoreScalar = MaskedScore.ToScalar();

    private readonly BertEmbeddings embeddings;
    private readonly ModuleList<BertLayer> layers = new();

    /// <summary>Creates the encoder with randomly initialised weights of the sizes in <paramref name="config"/>.</summary>
    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        for (int i = 0; i < config.Layers; i++) layers.Add(new BertLayer(config));
        RegisterComponents();
    }

    /// <summary>The encoder's sizes.</summary>
    public BertConfig Config { get; }

    /// <summary>The embedding stage.</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary>The encoder layers, first to last.</summary>
    public IReadOnlyList<BertLayer> Layers => layers.ToList();

    /// <summary>
    /// The additive attention bias [batch, 1, 1, T] for a padding mask [batch, T] (1 = token, 0 = padding): 0 on
    /// tokens, <see cref="MaskedScore"/> on padding, so no position attends to padding.
    /// </summary>
    public static Tensor AttentionBias(Tensor attentionMask, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (attentionMask.dim() != 2) throw new ArgumentException($"attention mask must be [batch, T]; got [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
        return attentionMask.to(dtype).SubtractedFrom(1).mul(MaskedScoreScalar).unsqueeze(1).unsqueeze(1);
    }

    /// <summary>
    /// The embedding stage's output for <paramref name="inputIds"/> [batch, T] (int64), with token types
    /// <paramref name="tokenTypeIds"/> or all zero.
    /// </summary>
    public Tensor Embed(Tensor inputIds, Tensor? tokenTypeIds = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2) throw new ArgumentException($"input ids must be [batch, T]; got [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        if (tokenTypeIds is null)
        {
            using var zeroTypes = zeros_like(inputIds);
            return embeddings.call(inputIds, zeroTypes);
        }
        return embeddings.call(inputIds, tokenTypeIds);
    }

    /// <summary>The last hidden state [batch, T, hidden] for token ids and padding mask (both [batch, T], int64), token types all zero.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => Encode(inputIds, attentionMask);

    /// <summary>The last hidden state [batch, T, hidden]: <see cref="Embed"/>, then every layer with the padding bias.</summary>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (!attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"attention mask [{string.Join(", ", attentionMask.shape)}] must have the input ids' shape [{string.Join(", ", inputIds.shape)}].", nameof(attentionMask));
        using var scope = NewDisposeScope();
        var hidden = Embed(inputIds, tokenTypeIds);
        var bias = AttentionBias(attentionMask, hidden.dtype);
        foreach (var layer in layers) hidden = layer.call(hidden, bias);
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean of <paramref name="hidden"/> [batch, T, hidden] over the positions where <paramref name="attentionMask"/>
    /// [batch, T] is 1: the sentence embedding all-MiniLM-L6-v2 was trained to produce. Returns [batch, hidden].
    /// </summary>
    public static Tensor MeanPool(Tensor hidden, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (hidden.dim() != 3 || attentionMask.dim() != 2 || hidden.shape[0] != attentionMask.shape[0] || hidden.shape[1] != attentionMask.shape[1])
            throw new ArgumentException($"mean pooling needs hidden [batch, T, width] and mask [batch, T]; got [{string.Join(", ", hidden.shape)}] and [{string.Join(", ", attentionMask.shape)}].");
        using var scope = NewDisposeScope();
        var weights = attentionMask.to(hidden.dtype).unsqueeze(-1);
        var counts = weights.sum(1).AtLeast(1e-9); // sentence-transformers' guard against an all-padding row
        return ((hidden * weights).sum(1) / counts).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Puts a LoRA adapter on every projection of every layer (query, key, value, attention output, intermediate,
    /// output) and freezes every base parameter, so only the adapters' A and B train: y = W x + b + s·(x Aᵀ) Bᵀ with
    /// A ~ U(−1/√in, 1/√in) (mlx-lm's convention) drawn from a generator seeded with <paramref name="seed"/>, and B = 0,
    /// so the adapted encoder starts as the base one. Projections already adapted are left as they are. Returns the
    /// new adapters, layer by layer in <see cref="BertLayer.ProjectionNames"/> order.
    /// </summary>
    /// <param name="rank">r (8 in the release).</param>
    /// <param name="scale">s (16 in the release).</param>
    /// <param name="seed">Seed for A.</param>
    public IReadOnlyList<LoraLinear> AddLora(int rank = 8, double scale = 16.0, long seed = 0)
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), $"LoRA rank must be ≥ 1; got {rank}.");
        using var generator = new Generator(unchecked((ulong)seed));
        Tensor UniformA(long r, long inFeatures)
        {
            double bound = 1.0 / Math.Sqrt(inFeatures); // mlx-lm LoRA: A ~ U(−1/√in, 1/√in)
            return rand(new[] { r, inFeatures }, generator: generator).Times(2 * bound).Minus(bound);
        }
        var adapters = new List<LoraLinear>();
        foreach (var layer in layers) adapters.AddRange(layer.WrapProjections(linear => new LoraLinear(linear, rank, scale, UniformA)));
        foreach (var (name, parameter) in named_parameters())
            parameter.requires_grad = name.EndsWith(".lora_A", StringComparison.Ordinal) || name.EndsWith(".lora_B", StringComparison.Ordinal);
        return adapters;
    }
}
