using Galt.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Jacobians.Rules;

/// <summary>Helpers shared by the built-in rules.</summary>
internal static class RuleHelpers
{
    /// <summary>[n, ..., features] → [n·…, features]: a sequence model's positions count as examples of the same constraint.</summary>
    public static Tensor Flatten(Tensor t) => t.dim() == 2 ? t : t.reshape(-1, t.shape[^1]);

    /// <summary>
    /// A module's registered parameter by name. Some TorchSharp modules (Embedding) hand out a new wrapper from their
    /// <c>weight</c> property each time; the registered object is the one the optimizer holds.
    /// </summary>
    public static Parameter? Own(nn.Module module, string name) =>
        module.named_parameters(recurse: false).FirstOrDefault(p => p.name == name).parameter;
}

/// <summary>Linear y = W a + b: J_W = Gᵀ A, J_b = Σ G.</summary>
internal sealed class LinearRule : ILayerJacobianRule
{
    public Type LayerType => typeof(Linear);

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var (a, g) = (RuleHelpers.Flatten(input), RuleHelpers.Flatten(outputGradient));
        if (RuleHelpers.Own(layer, "weight") is { requires_grad: true } w) yield return (w, g.t().matmul(a));
        if (RuleHelpers.Own(layer, "bias") is { requires_grad: true } b) yield return (b, g.sum(dim: 0L)); // dim named: a bare 0 binds to sum(ScalarType)
    }

    public IEnumerable<(Parameter Parameter, Tensor Gradients)>? BatchedRows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var list = new List<(Parameter, Tensor)>();
        if (RuleHelpers.Own(layer, "weight") is { requires_grad: true } w) list.Add((w, outputGradient.transpose(1, 2).bmm(input)));
        if (RuleHelpers.Own(layer, "bias") is { requires_grad: true } b) list.Add((b, outputGradient.sum(dim: 1L)));
        return list;
    }
}

/// <summary>LoRA y = W a + s·B A a: J_A = s·(G B)ᵀ A_in, J_B = s·Gᵀ (A_in Aᵀ).</summary>
internal sealed class LoraLinearRule : ILayerJacobianRule
{
    public Type LayerType => typeof(LoraLinear);

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var lora = (LoraLinear)layer;
        var (a, g) = (RuleHelpers.Flatten(input), RuleHelpers.Flatten(outputGradient));
        if (lora.A.requires_grad) yield return (lora.A, lora.ApplyScale(g.matmul(lora.B).t().matmul(a)));
        if (lora.B.requires_grad) yield return (lora.B, lora.ApplyScale(g.t().matmul(a.matmul(lora.A.t()))));
    }

    public IEnumerable<(Parameter Parameter, Tensor Gradients)>? BatchedRows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var lora = (LoraLinear)layer;
        var list = new List<(Parameter, Tensor)>();
        if (lora.A.requires_grad) list.Add((lora.A, lora.ApplyScale(outputGradient.matmul(lora.B).transpose(1, 2).bmm(input))));
        if (lora.B.requires_grad) list.Add((lora.B, lora.ApplyScale(outputGradient.transpose(1, 2).bmm(input.matmul(lora.A.t())))));
        return list;
    }
}
