namespace Galt.Carriers;

/// <summary>
/// The sizes of a BERT encoder. <see cref="BertOnnxWeights"/> reads them from the weights of an exported model rather
/// than assuming all-MiniLM-L6-v2's values.
/// </summary>
/// <param name="VocabularySize">Rows of the word embedding (30,522 for MiniLM).</param>
/// <param name="HiddenSize">Width of every hidden state (384).</param>
/// <param name="Layers">Number of encoder layers (6).</param>
/// <param name="Heads">Attention heads per layer (12); must divide <paramref name="HiddenSize"/>.</param>
/// <param name="IntermediateSize">Width of the feed-forward layer (1,536).</param>
/// <param name="MaxPositions">Rows of the position embedding: the longest input (512).</param>
/// <param name="TypeVocabularySize">Rows of the token-type embedding (2).</param>
/// <param name="LayerNormEpsilon">ε of every LayerNorm (1e-12 in BERT).</param>
public sealed record BertConfig(int VocabularySize, int HiddenSize, int Layers, int Heads, int IntermediateSize, int MaxPositions, int TypeVocabularySize, double LayerNormEpsilon = 1e-12)
{
    /// <summary>Width of one head: <see cref="HiddenSize"/> / <see cref="Heads"/>.</summary>
    public int HeadSize => HiddenSize / Heads;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first size that is not positive or consistent.</summary>
    public void Validate()
    {
        void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentException($"BERT {name} must be ≥ 1; got {value}.");
        }
        Positive(VocabularySize, nameof(VocabularySize));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(Layers, nameof(Layers));
        Positive(Heads, nameof(Heads));
        Positive(IntermediateSize, nameof(IntermediateSize));
        Positive(MaxPositions, nameof(MaxPositions));
        Positive(TypeVocabularySize, nameof(TypeVocabularySize));
        if (HiddenSize % Heads != 0) throw new ArgumentException($"BERT HiddenSize {HiddenSize} must be a multiple of Heads {Heads}.");
        if (!(LayerNormEpsilon > 0) || !double.IsFinite(LayerNormEpsilon)) throw new ArgumentException($"BERT LayerNormEpsilon must be positive and finite; got {LayerNormEpsilon}.");
    }
}
