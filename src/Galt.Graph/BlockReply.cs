using static TorchSharp.torch;

namespace Galt.Graph;

/// <summary>A node's answer to a <see cref="BlockMessage"/>. Owns its tensors (outside every dispose scope): dispose it.</summary>
public sealed record BlockReply : IDisposable
{
    /// <summary>Step (when asked) and Probe: ∂ℓ_v/∂input on the message's rows, ℓ_v summed over rows.</summary>
    public Tensor? InputGradient { get; init; }

    /// <summary>Read and Split: z_v on the message's rows.</summary>
    public Tensor? Rows { get; init; }

    /// <summary>Residual: mean |z_v − f_v(input)|. NaN otherwise.</summary>
    public double Residual { get; init; } = double.NaN;

    /// <summary>Dual: the edge's penalty ρ_v after the penalty rule. NaN otherwise.</summary>
    public double Rho { get; init; } = double.NaN;

    /// <summary>An empty reply (Step without a gradient).</summary>
    public static BlockReply None => new();

    /// <inheritdoc />
    public void Dispose()
    {
        InputGradient?.Dispose();
        Rows?.Dispose();
    }
}
