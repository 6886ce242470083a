using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// One post-norm BERT encoder layer: multi-head self-attention over [batch, T, hidden] with an additive padding bias,
/// the attention output projection + residual + LayerNorm, then intermediate projection + GELU (erf form) + output
/// projection + residual + LayerNorm. Its six projections are Linear layers that <see cref="BertEncoder.AddLora"/> can
/// wrap in <see cref="Galt.Models.LoraLinear"/> adapters in place.
/// </summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The names of the six projections, in the order <see cref="Projections"/> lists them.</summary>
    public static readonly IReadOnlyList<string> ProjectionNames = new[] { "query", "key", "value", "attention_output", "intermediate", "output" };

    private nn.Module<Tensor, Tensor> query, key, value, attention_output, intermediate, output;
    private readonly LayerNorm attention_norm, output_norm;

    /// <summary>Creates the layer with randomly initialised weights of the sizes in <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Heads = config.Heads;
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(config.HiddenSize, config.HiddenSize);
        value = nn.Linear(config.HiddenSize, config.HiddenSize);
        attention_output = nn.Linear(config.HiddenSize, config.HiddenSize);
        attention_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        intermediate = nn.Linear(config.HiddenSize, config.IntermediateSize);
        output = nn.Linear(config.IntermediateSize, config.HiddenSize);
        output_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>Attention heads.</summary>
    public int Heads { get; }

    /// <summary>The six projections by name (<see cref="ProjectionNames"/>): a Linear, or a LoraLinear once adapted.</summary>
    public IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> Projections =>
        new[] { query, key, value, attention_output, intermediate, output }.Select((m, i) => (ProjectionNames[i], m)).ToList();

    /// <summary>The layer's output [batch, T, hidden].</summary>
    /// <param name="hidden">The previous stage's output [batch, T, hidden].</param>
    /// <param name="attentionBias">Additive bias on the attention scores, broadcastable to [batch, heads, T, T]; see <see cref="BertEncoder.AttentionBias"/>.</param>
    public override Tensor forward(Tensor hidden, Tensor attentionBias)
    {
        long n = hidden.shape[0], t = hidden.shape[1], d = hidden.shape[2], h = Heads, dh = d / h;
        Tensor Split(Tensor y) => y.reshape(n, t, h, dh).transpose(1, 2); // [n, h, t, dh]
        var q = Split(query.call(hidden));
        var k = Split(key.call(hidden));
        var v = Split(value.call(hidden));
        var scores = q.matmul(k.transpose(2, 3)).Over(Math.Sqrt(dh)).Plus(attentionBias); // scaled dot-product attention, 1/√d_head
        var mixed = nn.functional.softmax(scores, -1).matmul(v).transpose(1, 2).reshape(n, t, d);
        var attended = attention_norm.call(attention_output.call(mixed).Plus(hidden));
        var expanded = nn.functional.gelu(intermediate.call(attended)); // exact GELU: 0.5·x·(1 + erf(x/√2)), as the export
        return output_norm.call(output.call(expanded).Plus(attended));
    }

    /// <summary>Replaces every projection that is still a plain Linear by <paramref name="wrap"/>(it), registered under the same name.</summary>
    internal IReadOnlyList<Galt.Models.LoraLinear> WrapProjections(Func<Linear, Galt.Models.LoraLinear> wrap)
    {
        var wrapped = new List<Galt.Models.LoraLinear>();
        nn.Module<Tensor, Tensor> Wrap(nn.Module<Tensor, Tensor> module, string name)
        {
            if (module is not Linear linear) return module;
            var lora = wrap(linear);
            register_module(name, null!); // removes the old registration so the adapter can take its name
            register_module(name, lora);
            wrapped.Add(lora);
            return lora;
        }
        query = Wrap(query, nameof(query));
        key = Wrap(key, nameof(key));
        value = Wrap(value, nameof(value));
        attention_output = Wrap(attention_output, nameof(attention_output));
        intermediate = Wrap(intermediate, nameof(intermediate));
        output = Wrap(output, nameof(output));
        return wrapped;
    }
}
