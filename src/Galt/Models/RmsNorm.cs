using Galt.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// Root-mean-square normalisation over the last dimension: y = x / √(mean(x²) + ε) ⊙ γ (TorchSharp 0.107 has no
/// RMSNorm module). The batched Jacobian path supports its scale γ.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    /// <summary>Creates the layer with γ = 1.</summary>
    public RmsNorm(long width, double epsilon = 1e-6) : base(nameof(RmsNorm))
    {
        Epsilon = epsilon;
        weight = new Parameter(ones(width));
        RegisterComponents();
    }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>γ.</summary>
    public Parameter Weight => weight;

    /// <summary>x / √(mean(x²) + ε), without the scale.</summary>
    public Tensor Normalise(Tensor x) => x * x.Power(2).mean(new long[] { -1 }, keepdim: true).Plus(Epsilon).rsqrt();

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => Normalise(x) * weight;
}
