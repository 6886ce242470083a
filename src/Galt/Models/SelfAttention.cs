using TorchSharp;
using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// Multi-head self-attention built from four Linear layers (q, k, v, output) and functional softmax attention, so every
/// parameter sits in a layer the batched Jacobian path supports (TorchSharp's MultiheadAttention packs q/k/v in one
/// parameter used functionally). Input and output are [batch, sequence, d_model]. Optionally bias-free projections and
/// a causal mask (position i attends to positions ≤ i only), as in the curriculum model of spec §6.6.
/// </summary>
internal sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear query, key, value, output;

    /// <summary>Creates the block; <paramref name="modelWidth"/> must be divisible by <paramref name="heads"/>.</summary>
    /// <param name="modelWidth">d_model.</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="bias">Whether the four projections have biases.</param>
    /// <param name="causal">Whether to add the causal mask (−1e9 above the diagonal) to the attention scores.</param>
    public SelfAttention(int modelWidth, int heads, bool bias = true, bool causal = false) : base(nameof(SelfAttention))
    {
        if (heads < 1 || modelWidth % heads != 0) throw new ArgumentException($"d_model {modelWidth} must be a positive multiple of the head count {heads}.");
        Heads = heads;
        Causal = causal;
        query = nn.Linear(modelWidth, modelWidth, hasBias: bias);
        key = nn.Linear(modelWidth, modelWidth, hasBias: bias);
        value = nn.Linear(modelWidth, modelWidth, hasBias: bias);
        output = nn.Linear(modelWidth, modelWidth, hasBias: bias);
        RegisterComponents();
    }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Whether attention is causal.</summary>
    public bool Causal { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0], t = x.shape[1], d = x.shape[2], h = Heads, dh = d / h;
        Tensor Split(Tensor y) => y.reshape(n, t, h, dh).transpose(1, 2); // [n, h, t, dh]
        var q = Split(query.call(x));
        var k = Split(key.call(x));
        var v = Split(value.call(x));
        var scores = q.matmul(k.transpose(2, 3)).Over(Math.Sqrt(dh)); // scale 1/√d_head
        if (Causal)
        {
            using var masked = (-1e9f).ToScalar();
            scores = scores.Plus(full(t, t, masked, dtype: scores.dtype, device: x.device).triu(1)); // spec §6.6 causal additive mask
        }
        var mixed = nn.functional.softmax(scores, -1).matmul(v).transpose(1, 2).reshape(n, t, d);
        return output.call(mixed);
    }
}
