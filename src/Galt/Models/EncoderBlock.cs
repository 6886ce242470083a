using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>A pre-norm transformer encoder block: x + Attention(LN(x)), then + FFN(LN(·)) with a 4× GELU feed-forward.</summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly SelfAttention attention;
    private readonly Linear expand, contract;

    /// <summary>Creates the block.</summary>
    public EncoderBlock(int modelWidth, int heads) : base(nameof(EncoderBlock))
    {
        norm1 = nn.LayerNorm(modelWidth);
        norm2 = nn.LayerNorm(modelWidth);
        attention = new SelfAttention(modelWidth, heads);
        expand = nn.Linear(modelWidth, 4 * modelWidth);
        contract = nn.Linear(4 * modelWidth, modelWidth);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = x + attention.call(norm1.call(x));
        return h + contract.call(nn.functional.gelu(expand.call(norm2.call(h))));
    }
}
