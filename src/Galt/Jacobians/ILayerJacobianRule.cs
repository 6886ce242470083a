using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// How <see cref="BatchedJacobians"/> turns one layer call into per-parameter Jacobian contributions: from the layer's
/// input a and the gradient g of Σ K at its output, over one constraint's examples (examples do not interact inside
/// the layer). One rule per layer type, registered in <see cref="LayerJacobianRules"/>; register your own for a custom
/// layer.
/// </summary>
public interface ILayerJacobianRule
{
    /// <summary>The layer type the rule serves (exact type; a rule for a base class does not serve subclasses).</summary>
    Type LayerType { get; }

    /// <summary>Why the rule cannot serve this particular layer (e.g. a setting it has no formula for), or null when it can.</summary>
    string? Unsupported(nn.Module layer) => null;

    /// <summary>
    /// The contributions of one call over one constraint's examples: (parameter, ∂K/∂parameter restricted to these
    /// examples), for each trainable parameter the layer owns. <paramref name="input"/> and
    /// <paramref name="outputGradient"/> have the examples along dimension 0.
    /// </summary>
    IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient);

    /// <summary>
    /// Optional: the contributions for k constraints with equal example counts at once, from a [k, m, in] and g
    /// [k, m, out] (m = examples × positions), as [k, …] stacks; null (the default) when the rule has no batched form.
    /// </summary>
    IEnumerable<(Parameter Parameter, Tensor Gradients)>? BatchedRows(nn.Module layer, Tensor input, Tensor outputGradient) => null;
}
