using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The dense zero-shot choice score of an embedding model (spec §5.2's "base" path, for an encoder): the log-softmax,
/// over the options, of scale × cos(embedding(question), embedding(option)) — how a sentence-embedding model is used to
/// pick the option closest in meaning to the question.
/// </summary>
public static class ChoiceSimilarity
{
    /// <summary>The similarity scale: 20, the inverse temperature sentence-embedding models are trained with.</summary>
    public const double DefaultScale = 20;

    /// <summary>
    /// Scores [items, options]: <paramref name="embed"/> maps texts to pooled embeddings [texts, H]; every item must have
    /// the same number of options.
    /// </summary>
    public static Tensor Scores(IReadOnlyList<ChoiceItem> items, Func<IReadOnlyList<string>, Tensor> embed, double scale = DefaultScale)
    {
        if (items.Count == 0) throw new ArgumentException("no choice items to score.", nameof(items));
        int options = items[0].Options.Count;
        if (items.Any(i => i.Options.Count != options))
            throw new ArgumentException($"every item must have the same number of options; the first has {options}.", nameof(items));
        var texts = new List<string>(items.Count * (options + 1));
        foreach (var item in items)
        {
            texts.Add(item.Question);
            texts.AddRange(item.Options);
        }
        var e = nn.functional.normalize(embed(texts).to(ScalarType.Float32), p: 2, dim: -1).reshape(items.Count, options + 1, -1);
        var question = e[TensorIndex.Colon, TensorIndex.Slice(0, 1)];            // [items, 1, H]
        var optionVectors = e[TensorIndex.Colon, TensorIndex.Slice(1, null)];    // [items, options, H]
        var cosine = (optionVectors * question).sum(-1);                         // [items, options]
        return cosine.Times(scale).log_softmax(-1);
    }

    /// <summary>
    /// The same scores as <see cref="Scores"/>, with the questions and the distinct option texts embedded in two separate
    /// calls: a long question no longer pads every short option to its length, and options shared by many items (a
    /// task's class names) are embedded once. Equal to <see cref="Scores"/> up to float rounding.
    /// </summary>
    public static Tensor ScoresPaddedApart(IReadOnlyList<ChoiceItem> items, Func<IReadOnlyList<string>, Tensor> embed, double scale = DefaultScale)
    {
        if (items.Count == 0) throw new ArgumentException("no choice items to score.", nameof(items));
        int options = items[0].Options.Count;
        if (items.Any(i => i.Options.Count != options))
            throw new ArgumentException($"every item must have the same number of options; the first has {options}.", nameof(items));
        var distinct = new Dictionary<string, long>(StringComparer.Ordinal);
        var optionIndex = new long[items.Count * options];
        for (int i = 0; i < items.Count; i++)
            for (int k = 0; k < options; k++)
            {
                string text = items[i].Options[k];
                if (!distinct.TryGetValue(text, out long at)) distinct[text] = at = distinct.Count;
                optionIndex[i * options + k] = at;
            }
        var question = nn.functional.normalize(embed(items.Select(i => i.Question).ToArray()).to(ScalarType.Float32), p: 2, dim: -1);   // [items, H]
        var table = nn.functional.normalize(embed(distinct.Keys.ToArray()).to(ScalarType.Float32), p: 2, dim: -1);                         // [distinct, H]
        var optionVectors = table.index_select(0, tensor(optionIndex, device: table.device)).reshape(items.Count, options, -1);            // [items, options, H]
        var cosine = (optionVectors * question.unsqueeze(1)).sum(-1);
        return cosine.Times(scale).log_softmax(-1);
    }
}
