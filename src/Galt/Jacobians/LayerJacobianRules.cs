using Galt.Jacobians.Rules;

namespace Galt.Jacobians;

/// <summary>
/// The registry of per-layer Jacobian rules the batched path uses: the built-ins (Linear, <see cref="Galt.Models.LoraLinear"/>,
/// LayerNorm, <see cref="Galt.Models.RmsNorm"/>, Embedding, Conv2d with one group) are registered at start-up; a
/// registered rule for a type replaces the previous one. Thread-safe.
/// </summary>
public static class LayerJacobianRules
{
    private static readonly object Gate = new();
    private static Dictionary<Type, ILayerJacobianRule> _rules = new[]
    {
        (ILayerJacobianRule)new LinearRule(), new LoraLinearRule(), new LayerNormRule(), new RmsNormRule(), new EmbeddingRule(), new Conv2dRule(),
    }.ToDictionary(r => r.LayerType);

    /// <summary>Registers <paramref name="rule"/> for its layer type (replacing any rule for that type).</summary>
    public static void Register(ILayerJacobianRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (Gate) _rules = new Dictionary<Type, ILayerJacobianRule>(_rules) { [rule.LayerType] = rule };
    }

    /// <summary>The rule for <paramref name="layer"/>'s exact type, or null.</summary>
    public static ILayerJacobianRule? For(TorchSharp.torch.nn.Module layer) => _rules.GetValueOrDefault(layer.GetType());

    /// <summary>The layer types with a rule.</summary>
    public static IReadOnlyCollection<Type> Types => _rules.Keys;
}
