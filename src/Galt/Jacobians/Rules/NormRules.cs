using Galt.Tensors;
using Galt.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Jacobians.Rules;

/// <summary>LayerNorm y = x̂ ⊙ γ + β over the normalised (last) dimensions: J_γ = Σ g ⊙ x̂, J_β = Σ g over examples and positions.</summary>
internal sealed class LayerNormRule : ILayerJacobianRule
{
    public Type LayerType => typeof(LayerNorm);

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var norm = (LayerNorm)layer;
        var shape = norm.normalized_shape;
        var normalised = nn.functional.layer_norm(input, shape, null, null, norm.eps);
        long width = shape.Aggregate(1L, (x, y) => x * y);
        if (RuleHelpers.Own(norm, "weight") is { requires_grad: true } w) yield return (w, (outputGradient * normalised).reshape(-1, width).sum(dim: 0L).reshape(shape));
        if (RuleHelpers.Own(norm, "bias") is { requires_grad: true } b) yield return (b, outputGradient.reshape(-1, width).sum(dim: 0L).reshape(shape));
    }
}

/// <summary>RmsNorm y = x̂ ⊙ γ with x̂ = x / rms(x): J_γ = Σ g ⊙ x̂ over examples and positions.</summary>
internal sealed class RmsNormRule : ILayerJacobianRule
{
    public Type LayerType => typeof(RmsNorm);

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var rms = (RmsNorm)layer;
        if (rms.Weight.requires_grad) yield return (rms.Weight, (outputGradient * rms.Normalise(input)).reshape(-1, rms.Weight.shape[0]).sum(dim: 0L));
    }
}

/// <summary>Embedding y = W[i]: each example's output gradient lands on the rows it looked up.</summary>
internal sealed class EmbeddingRule : ILayerJacobianRule
{
    public Type LayerType => typeof(Embedding);

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var w = RuleHelpers.Own(layer, "weight")!;
        if (w.requires_grad) yield return (w, zeros_like(w).index_add_(0, input.reshape(-1), outputGradient.reshape(-1, w.shape[1]), ExplicitScalars.One));
    }
}

/// <summary>Conv2d (groups 1, zero padding given in numbers): per example ∂/∂W = g (unfolded input)ᵀ, im2col turns it into the Linear rule.</summary>
internal sealed class Conv2dRule : ILayerJacobianRule
{
    public Type LayerType => typeof(Conv2d);

    public string? Unsupported(nn.Module layer)
    {
        var conv = (Conv2d)layer;
        return conv.groups == 1 && !conv.transposed && conv.padding_mode == PaddingModes.Zeros && conv.padding_type is null ? null
            : $"Conv2d with groups {conv.groups}, padding mode {conv.padding_mode}{(conv.padding_type is null ? "" : ", padding " + conv.padding_type)} has no batched Jacobian rule (only groups 1, zero padding given in numbers)";
    }

    public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
    {
        var conv = (Conv2d)layer;
        var w = RuleHelpers.Own(conv, "weight")!;
        long m = input.shape[0];
        var columns = nn.functional.unfold(input, (conv.kernel_size[0], conv.kernel_size[1]), (conv.dilation[0], conv.dilation[1]),
            (conv.padding![0], conv.padding[1]), (conv.stride[0], conv.stride[1]));
        var g3 = outputGradient.reshape(m, outputGradient.shape[1], -1);
        if (w.requires_grad) yield return (w, g3.bmm(columns.transpose(1, 2)).sum(dim: 0L).reshape(w.shape));
        if (RuleHelpers.Own(conv, "bias") is { requires_grad: true } b) yield return (b, g3.sum(new long[] { 0, 2 }));
    }
}
