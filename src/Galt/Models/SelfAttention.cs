using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// Multi-head self-attention built from four Linear layers (q, k, v, output) and functional softmax attention, so every
/// parameter sits in a layer the batched Jacobian path supports (TorchSharp's MultiheadAttention packs q/k/v in one
/// parameter used functionally). Input and output are [batch, sequence, d_model].
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear query, key, value, output;

    /// <summary>Creates the block; <paramref name="modelWidth"/> must be divisible by <paramref name="heads"/>.</summary>
    public SelfAttention(int modelWidth, int heads) : base(nameof(SelfAttention))
    {
        if (heads < 1 || modelWidth % heads != 0) throw new ArgumentException($"d_model {modelWidth} must be a positive multiple of the head count {heads}.");
        Heads = heads;
        query = nn.Linear(modelWidth, modelWidth);
        key = nn.Linear(modelWidth, modelWidth);
        value = nn.Linear(modelWidth, modelWidth);
        output = nn.Linear(modelWidth, modelWidth);
        RegisterComponents();
    }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0], t = x.shape[1], d = x.shape[2], h = Heads, dh = d / h;
        Tensor Split(Tensor y) => y.reshape(n, t, h, dh).transpose(1, 2); // [n, h, t, dh]
        var q = Split(query.call(x));
        var k = Split(key.call(x));
        var v = Split(value.call(x));
        var weights = nn.functional.softmax(q.matmul(k.transpose(2, 3)) / Math.Sqrt(dh), -1);
        var mixed = weights.matmul(v).transpose(1, 2).reshape(n, t, d);
        return output.call(mixed);
    }
}
