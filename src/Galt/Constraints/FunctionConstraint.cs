using static TorchSharp.torch;

namespace Galt.Constraints;

/// <summary>A constraint from any user function K(θ) that returns a differentiable scalar.</summary>
public sealed class FunctionConstraint : Constraint
{
    private readonly Func<Tensor> _measure;

    /// <summary>Creates the constraint C = measure() − margin.</summary>
    public FunctionConstraint(string name, ConstraintKind kind, Func<Tensor> measure, double margin = 0)
        : base(name, kind, margin) => _measure = measure ?? throw new ArgumentNullException(nameof(measure));

    /// <inheritdoc />
    public override Tensor Measure() => _measure();
}
