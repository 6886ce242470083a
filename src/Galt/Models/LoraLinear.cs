using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A Linear layer with a rank-r LoRA adapter (spec §3): y = W x + b + ((x Aᵀ) Bᵀ)·(1/r), with
/// A ∈ R^{r×in} ~ N(0, 1)·0.02/√r and B ∈ R^{out×r} = 0, so the adapter starts as the identity change.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear @base;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;

    /// <summary>Creates the layer.</summary>
    public LoraLinear(int inFeatures, int outFeatures, int rank = 4) : base(nameof(LoraLinear))
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), $"LoRA rank must be ≥ 1; got {rank}.");
        Rank = rank;
        @base = nn.Linear(inFeatures, outFeatures);
        lora_A = new Parameter(randn(rank, inFeatures) * (0.02 / Math.Sqrt(rank)));
        lora_B = new Parameter(zeros(outFeatures, rank));
        RegisterComponents();
    }

    /// <summary>r.</summary>
    public int Rank { get; }

    /// <summary>The frozen-able base layer (W, b).</summary>
    public Linear Base => @base;

    /// <summary>A (r × in).</summary>
    public Parameter A => lora_A;

    /// <summary>B (out × r).</summary>
    public Parameter B => lora_B;

    /// <summary>Stops gradients to W and b; only A and B train.</summary>
    public void FreezeBase()
    {
        @base.weight!.requires_grad = false;
        @base.bias!.requires_grad = false;
    }

    /// <summary>W x + b, without the adapter.</summary>
    public Tensor BaseForward(Tensor input) => @base.call(input);

    /// <summary>((x Aᵀ) Bᵀ)/r, the adapter's contribution alone.</summary>
    public Tensor AdapterForward(Tensor input) => input.matmul(lora_A.t()).matmul(lora_B.t()) / Rank;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => BaseForward(input) + AdapterForward(input);
}
