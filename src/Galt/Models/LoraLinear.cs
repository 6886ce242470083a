using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Models;

/// <summary>
/// A Linear layer with a rank-r LoRA adapter (spec §3): y = W x + b + ((x Aᵀ) Bᵀ)·s with B ∈ R^{out×r} = 0, so the
/// adapter starts as no change. The Split-MNIST constructor makes its own layer with s = 1/r and
/// A ∈ R^{r×in} ~ N(0, 1)·0.02/√r; the wrapping constructor puts an adapter with a given scale and A on an existing
/// (pretrained) layer, as the carriers do.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear @base;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly double? _scale; // null: the Split-MNIST scale 1/r, applied as a division by r (its original arithmetic)

    /// <summary>Creates the layer.</summary>
    public LoraLinear(int inFeatures, int outFeatures, int rank = 4) : base(nameof(LoraLinear))
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), $"LoRA rank must be ≥ 1; got {rank}.");
        Rank = rank;
        @base = nn.Linear(inFeatures, outFeatures);
        using (var draw = randn(rank, inFeatures)) lora_A = new Parameter(draw.Times(0.02 / Math.Sqrt(rank)));
        lora_B = new Parameter(zeros(outFeatures, rank));
        RegisterComponents();
    }

    /// <summary>
    /// Puts a rank-<paramref name="rank"/> adapter on an existing layer, whose W and b are used as they are (not
    /// copied): y = W x + b + <paramref name="scale"/>·(x Aᵀ) Bᵀ, with A = <paramref name="initializeA"/>(r, in)
    /// and B = 0 (out × r) in the layer's dtype and device.
    /// </summary>
    /// <param name="baseLayer">The layer to adapt.</param>
    /// <param name="rank">r ≥ 1.</param>
    /// <param name="scale">The adapter's multiplier s (finite).</param>
    /// <param name="initializeA">Makes A from (r, in); it must return an r × in tensor.</param>
    public LoraLinear(Linear baseLayer, int rank, double scale, Func<long, long, Tensor> initializeA) : base(nameof(LoraLinear))
    {
        ArgumentNullException.ThrowIfNull(baseLayer);
        ArgumentNullException.ThrowIfNull(initializeA);
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), $"LoRA rank must be ≥ 1; got {rank}.");
        if (!double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"LoRA scale must be finite; got {scale}.");
        Rank = rank;
        _scale = scale;
        @base = baseLayer;
        var weight = baseLayer.weight ?? throw new ArgumentException("the layer to adapt has no weight.", nameof(baseLayer));
        long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
        using (no_grad())
        {
            var a = initializeA(rank, inFeatures);
            if (a.dim() != 2 || a.shape[0] != rank || a.shape[1] != inFeatures)
                throw new ArgumentException($"initializeA must return a {rank} × {inFeatures} tensor; got [{string.Join(", ", a.shape)}].", nameof(initializeA));
            lora_A = new Parameter(a.to(weight.dtype, weight.device));
            lora_B = new Parameter(zeros(outFeatures, rank, dtype: weight.dtype, device: weight.device));
        }
        RegisterComponents();
    }

    /// <summary>r.</summary>
    public int Rank { get; }

    /// <summary>The adapter's multiplier s: 1/r for the Split-MNIST constructor, else the given scale.</summary>
    public double Scale => _scale ?? 1.0 / Rank;

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
        if (@base.bias is { } bias) bias.requires_grad = false;
    }

    /// <summary>W x + b, without the adapter.</summary>
    public Tensor BaseForward(Tensor input) => @base.call(input);

    /// <summary>((x Aᵀ) Bᵀ)·s, the adapter's contribution alone.</summary>
    public Tensor AdapterForward(Tensor input) => ApplyScale(input.matmul(lora_A.t()).matmul(lora_B.t()));

    /// <summary>t·s, computed as t / r for the Split-MNIST constructor so its numbers stay exactly as they were.</summary>
    internal Tensor ApplyScale(Tensor t) => _scale is { } s ? t.Times(s) : t.Over(Rank);

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => BaseForward(input).Plus(AdapterForward(input));
}
