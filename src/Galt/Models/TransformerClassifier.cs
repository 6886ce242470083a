using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A small transformer encoder for sequence classification: a <see cref="TransformerTrunk"/> (embeddings, pre-norm
/// GELU <see cref="EncoderBlock"/>s, final LayerNorm), mean pooling over positions and a Linear head. Input: token ids
/// [batch, sequence] (int64); output: class scores [batch, classes]. Every parameter sits in a layer the batched
/// Jacobian path supports. As <see cref="ILayerStates"/> its states are the mean over positions of each encoder
/// block's output, so local heads (a low-BP hybrid) can read every layer.
/// </summary>
public sealed class TransformerClassifier : nn.Module<Tensor, Tensor>, ILayerStates
{
    private readonly TransformerTrunk trunk;
    private readonly Linear head;

    /// <summary>Creates the model.</summary>
    public TransformerClassifier(int vocabulary, int maxLength, int modelWidth = 128, int heads = 4, int layers = 2, int classes = 10) : base(nameof(TransformerClassifier))
    {
        trunk = new TransformerTrunk(vocabulary, maxLength, modelWidth, heads, layers);
        head = nn.Linear(modelWidth, classes);
        OutputWidth = classes;
        RegisterComponents();
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLength => trunk.MaxLength;

    /// <inheritdoc />
    public override Tensor forward(Tensor ids) => head.call(trunk.call(ids).mean(new long[] { 1 }));

    /// <inheritdoc />
    public int StateLayerCount => trunk.Layers.Count;

    /// <inheritdoc />
    public int StateWidth => trunk.Width;

    /// <inheritdoc />
    public int OutputWidth { get; }

    /// <inheritdoc />
    public (Tensor Output, Tensor[] States) ForwardWithStates(Tensor ids, IReadOnlyList<int> layers)
    {
        var (hidden, states) = Run(ids, layers, trunk.Layers.Count);
        return (head.call(trunk.Normalize(hidden).mean(new long[] { 1 })), states);
    }

    /// <inheritdoc />
    public Tensor[] States(Tensor ids, IReadOnlyList<int> layers) => Run(ids, layers, layers.Count == 0 ? 0 : layers.Max() + 1).States;

    /// <summary>The trunk's blocks up to <paramref name="depth"/>, keeping the pooled output of each asked layer.</summary>
    private (Tensor Hidden, Tensor[] States) Run(Tensor ids, IReadOnlyList<int> layers, int depth)
    {
        foreach (int l in layers)
            if (l < 0 || l >= trunk.Layers.Count) throw new ArgumentOutOfRangeException(nameof(layers), $"layer {l} is outside the model's {trunk.Layers.Count} encoder blocks.");
        var states = new Tensor[layers.Count];
        var x = trunk.Embed(ids);
        for (int l = 0; l < depth; l++)
        {
            x = trunk.Layers[l].call(x);
            for (int i = 0; i < layers.Count; i++)
                if (layers[i] == l) states[i] = x.mean(new long[] { 1 });
        }
        return (x, states);
    }
}
