using Galt.Constraints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// Convex problems min ‖x − a‖² subject to linear constraints, with analytically known (x*, λ*) (the Cooper style of
/// checking a constrained optimizer). Stationarity: 2(x* − a) + Σ λ*_i ∇C_i = 0.
/// </summary>
internal sealed record KktProblem(string Name, double[] Start, double[] A, (double[] Normal, double Offset, ConstraintKind Kind)[] Constraints, double[] XStar, double[] LambdaStar)
{
    public static readonly double[] Target = { 1, 2, 3 };

    public static IEnumerable<KktProblem> All()
    {
        // Active inequality: x0+x1+x2 ≤ 3 → x* = a − 1, λ* = 2.
        yield return new("one active inequality", new double[] { 0, 0, 0 }, Target, new[] { (new double[] { 1, 1, 1 }, 3.0, ConstraintKind.Inequality) }, new double[] { 0, 1, 2 }, new double[] { 2 });
        // Inactive inequality: x0+x1+x2 ≤ 10 → x* = a, λ* = 0.
        yield return new("one inactive inequality", new double[] { 0, 0, 0 }, Target, new[] { (new double[] { 1, 1, 1 }, 10.0, ConstraintKind.Inequality) }, new double[] { 1, 2, 3 }, new double[] { 0 });
        // Equality: x0 − x1 = 1 → x* = (2, 1, 3), λ* = −2.
        yield return new("one equality", new double[] { 0, 0, 0 }, Target, new[] { (new double[] { 1, -1, 0 }, 1.0, ConstraintKind.Equality) }, new double[] { 2, 1, 3 }, new double[] { -2 });
        // Two coupled active inequalities: x0+x1 ≤ 1, x1+x2 ≤ 2 → x* = (2/3, 1/3, 5/3), λ* = (2/3, 8/3).
        yield return new("two coupled inequalities", new double[] { 0, 0, 0 }, Target,
            new[] { (new double[] { 1, 1, 0 }, 1.0, ConstraintKind.Inequality), (new double[] { 0, 1, 1 }, 2.0, ConstraintKind.Inequality) },
            new double[] { 2.0 / 3, 1.0 / 3, 5.0 / 3 }, new double[] { 2.0 / 3, 8.0 / 3 });
    }

    public override string ToString() => Name;

    public Parameter CreateVariable() => new(tensor(Start, ScalarType.Float64), requires_grad: true);

    public Func<Tensor> Objective(Parameter x)
    {
        var a = tensor(A, ScalarType.Float64).DetachFromDisposeScope();
        return () => (x - a).pow(2).sum();
    }

    public Constraint[] CreateConstraints(Parameter x) => Constraints.Select((c, i) =>
    {
        var normal = tensor(c.Normal, ScalarType.Float64).DetachFromDisposeScope();
        return (Constraint)new FunctionConstraint($"c{i}", c.Kind, () => (x * normal).sum() - c.Offset);
    }).ToArray();
}
