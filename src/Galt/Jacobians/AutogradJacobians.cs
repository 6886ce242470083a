using Galt.Constraints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Jacobians;

/// <summary>
/// The reference path for constraint Jacobians (spec §2): one reverse-mode pass per constraint, J_e = ∇_θ C_e over the
/// same parameters as the task gradient. k constraints cost about k backward passes; a batched path comes later.
/// </summary>
public static class AutogradJacobians
{
    /// <summary>
    /// Value and gradient of a scalar with respect to <paramref name="parameters"/> (null where unused).
    /// <paramref name="retainGraph"/> keeps the autograd graph for another scalar that shares its forward pass.
    /// </summary>
    public static (double Value, Tensor?[] Gradient) ValueAndGradient(Tensor scalar, IReadOnlyList<Parameter> parameters, bool retainGraph = false)
    {
        if (scalar.numel() != 1) throw new ArgumentException($"expected a scalar, got shape [{string.Join(",", scalar.shape)}].", nameof(scalar));
        double value = scalar.detach().to(ScalarType.Float64).item<double>();
        var result = new Tensor?[parameters.Count];
        if (!scalar.requires_grad) return (value, result);
        var grads = autograd.grad(new[] { scalar }, parameters.Cast<Tensor>().ToArray(), retain_graph: retainGraph, allow_unused: true);
        for (int p = 0; p < parameters.Count; p++)
        {
            var g = grads[p];
            result[p] = g is null || g.IsInvalid ? null : g.detach();
        }
        return (value, result);
    }

    /// <summary>Evaluates <paramref name="constraint"/> and differentiates it; the caller owns the result.</summary>
    public static ConstraintEvaluation Evaluate(Constraint constraint, IReadOnlyList<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var (value, gradient) = ValueAndGradient(constraint.Evaluate(), parameters);
        foreach (var g in gradient) g?.MoveToOuterDisposeScope();
        return new ConstraintEvaluation(constraint.Name, value, gradient);
    }
}
