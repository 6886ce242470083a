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

    /// <summary>
    /// True when <see cref="Jacobian"/> was computed at an earlier point than <see cref="Value"/> (a cached Jacobian, as
    /// in the low-BP hybrid's local steps). The step still uses it; the linearised multiplier rule then holds λ, since
    /// a first-order prediction from a stale Jacobian is not one it can act on.
    /// </summary>
    public bool StaleJacobian { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var j in Jacobian) j?.Dispose();
    }
}
