using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// One constraint at one step: its value C and its Jacobian row J = ∂C/∂θ_p per parameter tensor (null where C does
/// not depend on θ_p). Owns the Jacobian tensors.
/// </summary>
public sealed class ConstraintEvaluation : IDisposable
{
    /// <summary>Creates the evaluation.</summary>
    public ConstraintEvaluation(string name, double value, Tensor?[] jacobian)
    {
        Name = name; Value = value; Jacobian = jacobian;
    }

    /// <summary>The constraint's name.</summary>
    public string Name { get; }

    /// <summary>C.</summary>
    public double Value { get; }

    /// <summary>∂C/∂θ_p, or null.</summary>
    public Tensor?[] Jacobian { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var j in Jacobian) j?.Dispose();
    }
}
