using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// A block carrier as an ordinary classifier over a fixed table of multiple-choice items, so the continual harness,
/// the constraints and the optimizers (which all take <c>nn.Module&lt;Tensor, Tensor&gt;</c> from inputs to class
/// scores) work on text: the input is a vector of item indices [n] (int64), the output the carrier's dense choice
/// scores [n, options] (<see cref="ChoiceSimilarity.ScoresPaddedApart"/>: log-probabilities over the options).
/// The module's parameters are the carrier's trainable ones (e.g. its LoRA adapters); the carrier stays owned by the
/// caller.
/// </summary>
public sealed class ChoiceItemModule : nn.Module<Tensor, Tensor>
{
    private readonly IBlockCarrier _carrier;
    private readonly IReadOnlyList<ChoiceItem> _items;

    /// <summary>Wraps <paramref name="carrier"/> over <paramref name="items"/>; every item must have the same number of options.</summary>
    public ChoiceItemModule(IBlockCarrier carrier, IReadOnlyList<ChoiceItem> items, double scale = ChoiceSimilarity.DefaultScale) : base(nameof(ChoiceItemModule))
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
    public override Tensor forward(Tensor indices)
    {
        var at = indices.to(ScalarType.Int64).cpu().data<long>().ToArray();
        var items = new ChoiceItem[at.Length];
        for (int i = 0; i < at.Length; i++)
        {
            if (at[i] < 0 || at[i] >= _items.Count) throw new ArgumentOutOfRangeException(nameof(indices), $"item index {at[i]} is outside 0..{_items.Count - 1}.");
            items[i] = _items[(int)at[i]];
        }
        return ChoiceSimilarity.ScoresPaddedApart(items, Embed, Scale);
    }

    /// <summary>Pooled embeddings [texts, H]: the carrier's stages in order.</summary>
    private Tensor Embed(IReadOnlyList<string> texts)
    {
        var (ids, mask) = _carrier.Encode(texts);
        var hidden = _carrier.Embed(ids, mask);
        for (int layer = 0; layer < _carrier.LayerCount; layer++) hidden = _carrier.Layer(layer, hidden, mask);
        return _carrier.Summarize(hidden, mask);
    }
}
