using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// The Split-MNIST network of spec §3 (the release's LoRAMLP): 784 → LoRA(256) → ReLU → LoRA(128) → ReLU → Linear(10).
/// After pretraining, <see cref="FreezeBase"/> leaves only the LoRA A/B factors and the head trainable.
/// Sub-layers are run with <c>call</c>, not <c>forward</c>, so forward hooks (the batched Jacobian path) see them.
/// </summary>
public sealed class LoraMlp : nn.Module<Tensor, Tensor>, ILayerChain
{
    private readonly ModuleList<LoraLinear> layers = new();
    private readonly Linear head;

    /// <summary>Creates the network; <paramref name="widths"/> are input, hidden…, output.</summary>
    public LoraMlp(int rank = 4, params int[] widths) : base(nameof(LoraMlp))
    {
        if (widths.Length == 0) widths = new[] { 784, 256, 128, 10 };
        if (widths.Length < 3) throw new ArgumentException($"a LoRA MLP needs input, at least one hidden and output widths; got [{string.Join(", ", widths)}].");
        Widths = widths.ToArray();
        for (int i = 0; i + 2 < widths.Length; i++) layers.Add(new LoraLinear(widths[i], widths[i + 1], rank));
        head = nn.Linear(widths[^2], widths[^1]);
        RegisterComponents();
    }

    /// <summary>Layer widths, input first.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>The LoRA hidden layers, input side first.</summary>
    public IReadOnlyList<LoraLinear> Layers => layers.ToList();

    /// <summary>The output head.</summary>
    public Linear Head => head;

    /// <summary>Freezes W and b of every hidden layer (spec §3 step 3).</summary>
    public void FreezeBase()
    {
        foreach (var layer in layers) layer.FreezeBase();
    }

    /// <summary>Post-ReLU output of every hidden layer, input side first.</summary>
    public IReadOnlyList<Tensor> HiddenStates(Tensor input)
    {
        var states = new List<Tensor>(layers.Count);
        var x = input;
        for (int l = 0; l < layers.Count; l++)
        {
            x = LayerForward(l, x);
            states.Add(x);
        }
        return states;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> StateWidths => Widths.Skip(1).Take(layers.Count).ToArray();

    /// <inheritdoc />
    public int OutputWidth => Widths[^1];

    /// <summary>ReLU(LoRA layer <paramref name="layer"/>(<paramref name="input"/>)).</summary>
    public Tensor LayerForward(int layer, Tensor input)
    {
        if (layer < 0 || layer >= layers.Count) throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} is outside 0..{layers.Count - 1}.");
        return nn.functional.relu(layers[layer].call(input));
    }

    /// <inheritdoc />
    public Tensor HeadForward(Tensor lastState) => head.call(lastState);

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => head.call(HiddenStates(input)[^1]);

    /// <summary>Copies every parameter value from <paramref name="source"/> (same widths and rank).</summary>
    public void CopyFrom(LoraMlp source)
    {
        using var noGrad = no_grad();
        var target = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, value) in source.named_parameters())
        {
            if (!target.TryGetValue(name, out var p) || !p.shape.SequenceEqual(value.shape))
                throw new ArgumentException($"cannot copy parameter '{name}': the networks differ in shape.");
            p.copy_(value);
        }
    }
}
