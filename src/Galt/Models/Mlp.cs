using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A multilayer perceptron: Linear layers with ReLU between them, none after the last.
/// <c>new Mlp(784, 256, 128, 10)</c> is the Split-MNIST base network of spec §3.
/// Sub-layers are run with <c>call</c>, not <c>forward</c>, so forward hooks (the batched Jacobian path) see them.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _layers = new();

    /// <summary>Creates the network; <paramref name="widths"/> lists input width, hidden widths, output width.</summary>
    public Mlp(params int[] widths) : base(nameof(Mlp))
    {
        if (widths.Length < 2) throw new ArgumentException($"an MLP needs at least an input and an output width; got {widths.Length} width(s).", nameof(widths));
        if (widths.Any(w => w <= 0)) throw new ArgumentException($"MLP widths must be positive; got [{string.Join(", ", widths)}].", nameof(widths));
        Widths = widths.ToArray();
        for (int i = 0; i + 1 < widths.Length; i++) _layers.Add(nn.Linear(widths[i], widths[i + 1]));
        RegisterComponents();
    }

    /// <summary>The layer widths, input first.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>The Linear layers, input side first.</summary>
    public IReadOnlyList<Linear> Layers => _layers.ToList();

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            var y = _layers[i].call(x);
            x = i + 1 < _layers.Count ? nn.functional.relu(y) : y;
        }
        return x;
    }
}
