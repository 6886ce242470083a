using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>A Linear layer, optionally followed by ReLU: one block of a chain (<see cref="BlockChain"/>).</summary>
public sealed class DenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;

    /// <summary>Creates the block.</summary>
    public DenseBlock(int inFeatures, int outFeatures, bool relu) : base(nameof(DenseBlock))
    {
        linear = nn.Linear(inFeatures, outFeatures);
        Relu = relu;
        RegisterComponents();
    }

    /// <summary>Whether ReLU follows the Linear layer.</summary>
    public bool Relu { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var y = linear.call(x);
        return Relu ? nn.functional.relu(y) : y;
    }
}
