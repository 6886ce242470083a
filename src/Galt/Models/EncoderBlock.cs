using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>The feed-forward non-linearity of an <see cref="EncoderBlock"/>.</summary>
public enum FeedForwardActivation
{
    /// <summary>GELU.</summary>
    Gelu,

    /// <summary>ReLU (the curriculum model, spec §6.6).</summary>
    Relu,
}

/// <summary>
/// A pre-norm transformer encoder block: x + Attention(LN(x)), then + FFN(LN(·)) with a 4× feed-forward (GELU by
/// default). Attention may be causal and its projections bias-free (see <see cref="SelfAttention"/>).
/// </summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly SelfAttention attention;
    private readonly Linear expand, contract;
    private readonly FeedForwardActivation _activation;

    /// <summary>Creates the block.</summary>
    public EncoderBlock(int modelWidth, int heads, FeedForwardActivation activation = FeedForwardActivation.Gelu, bool causal = false, bool attentionBias = true) : base(nameof(EncoderBlock))
    {
        _activation = activation;
        norm1 = nn.LayerNorm(modelWidth);
        norm2 = nn.LayerNorm(modelWidth);
        attention = new SelfAttention(modelWidth, heads, attentionBias, causal);
        expand = nn.Linear(modelWidth, 4 * modelWidth);
        contract = nn.Linear(4 * modelWidth, modelWidth);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = x.Plus(attention.call(norm1.call(x)));
        var hidden = expand.call(norm2.call(h));
        hidden = _activation == FeedForwardActivation.Relu ? nn.functional.relu(hidden) : nn.functional.gelu(hidden);
        return h.Plus(contract.call(hidden));
    }
}
