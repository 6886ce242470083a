using Galt.Constraints;
using Galt.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Experiments.Constrained;

/// <summary>One linear constraint ⟨n, x⟩ − b (≤ 0 or = 0).</summary>
/// <param name="Normal">n.</param>
/// <param name="Offset">b.</param>
/// <param name="Kind">Inequality or equality.</param>
public sealed record LinearConstraint(double[] Normal, double Offset, ConstraintKind Kind);

/// <summary>
/// A convex problem min ‖x − a‖² subject to linear constraints, with its analytic KKT point (x*, λ*): the Cooper
/// style of checking a constrained optimizer. Stationarity: 2(x* − a) + Σ λ*_i n_i = 0.
/// </summary>
/// <param name="Name">Short description.</param>
/// <param name="Start">Initial x.</param>
/// <param name="Target">a.</param>
/// <param name="Constraints">The constraints, in registration order.</param>
/// <param name="XStar">Exact minimiser.</param>
/// <param name="LambdaStar">Exact multipliers.</param>
public sealed record KktProblem(string Name, double[] Start, double[] Target, LinearConstraint[] Constraints, double[] XStar, double[] LambdaStar)
{
    private static readonly Scalar Two = 2.ToScalar();
    private static readonly double[] A = { 1, 2, 3 };
    private static readonly double[] Origin = { 0, 0, 0 };

    /// <summary>Active inequality x0+x1+x2 ≤ 3: x* = a − 1, λ* = 2.</summary>
    public static KktProblem ActiveInequality { get; } = new("one active inequality", Origin, A,
        new[] { new LinearConstraint(new double[] { 1, 1, 1 }, 3, ConstraintKind.Inequality) }, new double[] { 0, 1, 2 }, new double[] { 2 });

    /// <summary>Inactive inequality x0+x1+x2 ≤ 10: x* = a, λ* = 0.</summary>
    public static KktProblem InactiveInequality { get; } = new("one inactive inequality", Origin, A,
        new[] { new LinearConstraint(new double[] { 1, 1, 1 }, 10, ConstraintKind.Inequality) }, A, new double[] { 0 });

    /// <summary>Equality x0 − x1 = 1: x* = (2, 1, 3), λ* = −2.</summary>
    public static KktProblem Equality { get; } = new("one equality", Origin, A,
        new[] { new LinearConstraint(new double[] { 1, -1, 0 }, 1, ConstraintKind.Equality) }, new double[] { 2, 1, 3 }, new double[] { -2 });

    /// <summary>Two coupled active inequalities x0+x1 ≤ 1, x1+x2 ≤ 2: x* = (2/3, 1/3, 5/3), λ* = (2/3, 8/3).</summary>
    public static KktProblem CoupledInequalities { get; } = new("two coupled inequalities", Origin, A,
        new[]
        {
            new LinearConstraint(new double[] { 1, 1, 0 }, 1, ConstraintKind.Inequality),
            new LinearConstraint(new double[] { 0, 1, 1 }, 2, ConstraintKind.Inequality),
        },
        new double[] { 2.0 / 3, 1.0 / 3, 5.0 / 3 }, new double[] { 2.0 / 3, 8.0 / 3 });

    /// <summary>The four problems.</summary>
    public static IReadOnlyList<KktProblem> All { get; } = new[] { ActiveInequality, InactiveInequality, Equality, CoupledInequalities };

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>A fresh float64 variable at <see cref="Start"/>.</summary>
    public Parameter CreateVariable() => new(tensor(Start, ScalarType.Float64), requires_grad: true);

    /// <summary>The objective ‖x − a‖² as a closure; a is a tensor of the caller's dispose scope (the closure is valid
    /// while that scope lives: <see cref="KktRunner.Run"/> opens one around the run).</summary>
    public Func<Tensor> Objective(Parameter x)
    {
        var a = tensor(Target, ScalarType.Float64);
        return () => (x - a).pow(Two).sum();
    }

    /// <summary>The constraints on <paramref name="x"/>, named c0, c1, …; their normals are tensors of the caller's dispose
    /// scope, as in <see cref="Objective"/>.</summary>
    public Constraint[] CreateConstraints(Parameter x) => Constraints.Select((c, i) =>
    {
        var normal = tensor(c.Normal, ScalarType.Float64);
        return (Constraint)new FunctionConstraint($"c{i}", c.Kind, () => (x * normal).sum().Minus(c.Offset));
    }).ToArray();
}
