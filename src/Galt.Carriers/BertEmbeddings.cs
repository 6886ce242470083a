using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// BERT's embedding stage: word + token-type + position embeddings (positions 0..T−1), then LayerNorm. Input ids and
/// token-type ids are int64 [batch, T]; the output is [batch, T, hidden]. No dropout: the carrier runs in eval mode.
/// </summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embeddings, position_embeddings, token_type_embeddings;
    private readonly LayerNorm norm;

    /// <summary>Creates the stage with randomly initialised weights of the sizes in <paramref name="config"/>.</summary>
    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        word_embeddings = nn.Embedding(config.VocabularySize, config.HiddenSize);
        position_embeddings = nn.Embedding(config.MaxPositions, config.HiddenSize);
        token_type_embeddings = nn.Embedding(config.TypeVocabularySize, config.HiddenSize);
        norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        MaxPositions = config.MaxPositions;
        RegisterComponents();
    }

    /// <summary>The longest sequence the position embedding covers.</summary>
    public int MaxPositions { get; }

    /// <summary>The embedded, normalised sequence [batch, T, hidden].</summary>
    /// <param name="inputIds">Token ids, int64 [batch, T], T ≤ <see cref="MaxPositions"/>.</param>
    /// <param name="tokenTypeIds">Segment ids, int64 [batch, T] (all zero for single sentences).</param>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        long t = inputIds.shape[^1];
        if (t > MaxPositions) throw new ArgumentException($"input of {t} tokens is longer than the {MaxPositions} positions the model knows; truncate it.", nameof(inputIds));
        using var positions = ExplicitScalars.Range(t, ScalarType.Int64, inputIds.device);
        // The exported graph's order: (word + token type) + position, then LayerNorm.
        var summed = word_embeddings.call(inputIds).Plus(token_type_embeddings.call(tokenTypeIds)).Plus(position_embeddings.call(positions));
        return norm.call(summed);
    }
}
