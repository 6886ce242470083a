using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// Modules applied in order, like TorchSharp's Sequential, but without disposing intermediate outputs (Sequential
/// does, which breaks forward hooks that keep them, such as the batched Jacobian path).
/// </summary>
public sealed class BlockChain : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks = new();

    /// <summary>Creates the chain.</summary>
    public BlockChain(IEnumerable<nn.Module<Tensor, Tensor>> modules) : base(nameof(BlockChain))
    {
        foreach (var m in modules) blocks.Add(m);
        RegisterComponents();
    }

    /// <summary>The blocks, input side first.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Blocks => blocks.ToList();

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        foreach (var block in blocks) x = block.call(x);
        return x;
    }
}
