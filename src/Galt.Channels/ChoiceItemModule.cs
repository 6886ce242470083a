using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// A text block carrier as an ordinary classifier over a fixed table of multiple-choice items, so the continual harness,
/// the constraints and the optimizers (which all take <c>nn.Module&lt;Tensor, Tensor&gt;</c> from inputs to class
/// scores) work on text: the input is a vector of item indices [n] (int64), the output the carrier's dense choice
/// scores [n, options] (<see cref="ChoiceSimilarity.ScoresPaddedApart"/>: log-probabilities over the options).
/// The module's parameters are the carrier's trainable ones (e.g. its LoRA adapters); the carrier stays owned by the
/// caller. As <see cref="Galt.Models.ILayerStates"/> its states are the pooled question after each carrier layer.
/// </summary>
public sealed class ChoiceItemModule : nn.Module<Tensor, Tensor>, Galt.Models.ILayerStates
{
    private readonly IBlockCarrier<IReadOnlyList<string>> _carrier;
    private readonly IReadOnlyList<ChoiceItem> _items;

    /// <summary>Wraps <paramref name="carrier"/> over <paramref name="items"/>; every item must have the same number of options.</summary>
    public ChoiceItemModule(IBlockCarrier<IReadOnlyList<string>> carrier, IReadOnlyList<ChoiceItem> items, double scale = ChoiceSimilarity.DefaultScale) : base(nameof(ChoiceItemModule))
    {
        if (items.Count == 0) throw new ArgumentException("a choice-item module needs at least one item.", nameof(items));
        int options = items[0].Options.Count;
        for (int i = 0; i < items.Count; i++)
            if (items[i].Options.Count != options)
                throw new ArgumentException($"item {i} has {items[i].Options.Count} options; item 0 has {options}. Every item of one module scores the same number of options.", nameof(items));
        _carrier = carrier;
        _items = items;
        Scale = scale;
        Options = options;
        for (int layer = 0; layer < carrier.LayerCount; layer++)
            foreach (var (name, parameter) in carrier.LayerParameters(layer).Where(p => p.Parameter.requires_grad))
                register_parameter(name.Replace('.', '_'), parameter);
    }

    /// <summary>The items, addressed by index.</summary>
    public IReadOnlyList<ChoiceItem> Items => _items;

    /// <summary>Options per item (the width of the output).</summary>
    public int Options { get; }

    /// <summary>The similarity scale.</summary>
    public double Scale { get; }

    /// <summary>The labels of the items at <paramref name="indices"/>, as a tensor [n] (int64).</summary>
    public Tensor Labels(IReadOnlyList<int> indices) => tensor(indices.Select(i => (long)_items[i].Label).ToArray());

    /// <summary>Scores [n, options] of the items whose indices are <paramref name="indices"/> [n].</summary>
    public override Tensor forward(Tensor indices) => ChoiceSimilarity.ScoresPaddedApart(At(indices), texts => Embed(texts, _carrier.LayerCount), Scale);

    /// <inheritdoc />
    public int StateLayerCount => _carrier.LayerCount;

    /// <inheritdoc />
    public int StateWidth => _carrier.Width;

    /// <inheritdoc />
    public int OutputWidth => Options;

    /// <inheritdoc />
    public (Tensor Output, Tensor[] States) ForwardWithStates(Tensor indices, IReadOnlyList<int> layers)
    {
        var items = At(indices);
        Tensor[]? states = null;
        var output = ChoiceSimilarity.ScoresPaddedApart(items, texts =>
        {
            // The first embedding call is the questions' (ScoresPaddedApart embeds questions, then the options).
            if (states is not null) return Embed(texts, _carrier.LayerCount);
            states = new Tensor[layers.Count];
            return Embed(texts, _carrier.LayerCount, layers, states);
        }, Scale);
        return (output, states!);
    }

    /// <inheritdoc />
    public Tensor[] States(Tensor indices, IReadOnlyList<int> layers)
    {
        CheckLayers(layers);
        var states = new Tensor[layers.Count];
        Embed(At(indices).Select(i => i.Question).ToArray(), layers.Count == 0 ? 0 : layers.Max() + 1, layers, states);
        return states;
    }

    private ChoiceItem[] At(Tensor indices)
    {
        var at = indices.to(ScalarType.Int64).cpu().data<long>().ToArray();
        var items = new ChoiceItem[at.Length];
        for (int i = 0; i < at.Length; i++)
        {
            if (at[i] < 0 || at[i] >= _items.Count) throw new ArgumentOutOfRangeException(nameof(indices), $"item index {at[i]} is outside 0..{_items.Count - 1}.");
            items[i] = _items[(int)at[i]];
        }
        return items;
    }

    private void CheckLayers(IReadOnlyList<int> layers)
    {
        foreach (int l in layers)
            if (l < 0 || l >= _carrier.LayerCount) throw new ArgumentOutOfRangeException(nameof(layers), $"layer {l} is outside 0..{_carrier.LayerCount - 1}.");
    }

    /// <summary>
    /// Pooled embeddings [texts, H] after the first <paramref name="depth"/> carrier layers; when <paramref name="layers"/>
    /// is given, the pooled state after each of them is written into <paramref name="states"/>.
    /// </summary>
    private Tensor Embed(IReadOnlyList<string> texts, int depth, IReadOnlyList<int>? layers = null, Tensor[]? states = null)
    {
        if (layers is not null) CheckLayers(layers);
        var (hidden, mask) = _carrier.Embed(texts);
        for (int layer = 0; layer < depth; layer++)
        {
            hidden = _carrier.Layer(layer, hidden, mask);
            if (layers is null) continue;
            for (int s = 0; s < layers.Count; s++)
                if (layers[s] == layer) states![s] = _carrier.Summarize(hidden, mask);
        }
        return _carrier.Summarize(hidden, mask);
    }
}
