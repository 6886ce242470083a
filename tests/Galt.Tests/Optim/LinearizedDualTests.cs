using Galt.Constraints;
using Galt.Multipliers;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>The linearised multiplier rule: the step's first-order prediction lands on the target, and runs end feasible.</summary>
public class LinearizedDualTests
{
    /// <summary>min ½‖x − c‖² with c far across the constraint a·x ≤ 1: the task pushes into the constraint every step.</summary>
    private static (Parameter X, Func<Tensor> Loss, FunctionConstraint Constraint, Tensor A) Problem(int n = 6)
    {
        var x = new Parameter(zeros(n, ScalarType.Float64));
        var a = linspace(0.5, 1.5, n, ScalarType.Float64);
        var c = full(n, 3.0, ScalarType.Float64);
        var constraint = new FunctionConstraint("a·x ≤ 1", ConstraintKind.Inequality, () => (a * x).sum(), margin: 1);
        return (x, () => 0.5 * (x - c).pow(2).sum(), constraint, a);
    }

    [Fact]
    public void APredictedPostValueLandsOnTheTargetWhenTheConstraintBinds()
    {
        using var scope = NewDisposeScope();
        var (x, loss, constraint, _) = Problem();
        var rule = new LinearizedDualRule { ErrorSafety = 0, MinimumSlack = 0 };
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.05, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = rule, Contract = null });
        optimizer.AddConstraint(constraint);
        int binding = 0;
        for (int s = 0; s < 60; s++)
        {
            var result = optimizer.Step(loss);
            if (optimizer.Constraints[0].Lambda > 0)
            {
                // A linear constraint: the first-order prediction is exact, and with γ = 0 the target is the boundary.
                Assert.Equal(0.0, result.PostValues[0], 9);
                binding++;
            }
        }
        Assert.True(binding > 30, $"the constraint bound on only {binding} of 60 steps");
        Assert.True(constraint.Value() <= 1e-9, $"C = {constraint.Value()} after 60 steps");
    }

    [Fact]
    public void AnInactiveConstraintKeepsLambdaZeroAndAReleasedOneFallsBackToZero()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(3, ScalarType.Float64));
        var target = full(3, 3.0, ScalarType.Float64);
        // x ≤ 10 per coordinate sum: never binds on the way to x = 3.
        var loose = new FunctionConstraint("sum ≤ 10", ConstraintKind.Inequality, () => x.sum(), margin: 10);
        using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions { LearningRate = 0.05, WeightDecay = 0 });
        optimizer.AddConstraint(loose, lambdaInit: 2.0);
        // λ starts at 2 though the constraint is slack: the rule releases it at once (complementarity), then keeps 0.
        optimizer.Step(() => 0.5 * (x - target).pow(2).sum());
        Assert.Equal(0.0, optimizer.Constraints[0].Lambda);
        for (int s = 0; s < 20; s++) optimizer.Step(() => 0.5 * (x - target).pow(2).sum());
        Assert.Equal(0.0, optimizer.Constraints[0].Lambda);
    }

    [Fact]
    public void TwoCoupledConstraintsBothLandOnTheirTargets()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(4, ScalarType.Float64));
        var target = tensor(new[] { 3.0, 3.0, 3.0, -3.0 }, ScalarType.Float64);
        var c1 = new FunctionConstraint("x0 + x1 ≤ 1", ConstraintKind.Inequality, () => x[0] + x[1], margin: 1);
        var c2 = new FunctionConstraint("x1 + x2 ≤ 1", ConstraintKind.Inequality, () => x[1] + x[2], margin: 1);
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions
        {
            LearningRate = 0.05, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new LinearizedDualRule { ErrorSafety = 0, MinimumSlack = 0 }, Contract = null,
        });
        optimizer.AddConstraint(c1);
        optimizer.AddConstraint(c2);
        for (int s = 0; s < 200; s++) optimizer.Step(() => 0.5 * (x - target).pow(2).sum());
        Assert.True(c1.Value() <= 1e-9 && c2.Value() <= 1e-9, $"C = {c1.Value()}, {c2.Value()}");
        Assert.True(optimizer.Constraints.All(c => c.Lambda > 0), "both constraints bind at the optimum");
    }

    [Fact]
    public void TheReleaseRuleEndsInfeasibleWhereTheLinearizedRuleEndsFeasible()
    {
        double Final(IMultiplierRule rule)
        {
            using var scope = NewDisposeScope();
            var (x, loss, constraint, _) = Problem();
            using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions
            {
                LearningRate = 0.05, WeightDecay = 0, Penalty = new PenaltySchedule(Ceiling: 2), MultiplierRule = rule, Contract = null,
            });
            optimizer.AddConstraint(constraint);
            // A steep task (Adam's metric D grows with it, so a fixed-gain force J/D barely acts): the release rule lags.
            for (int s = 0; s < 40; s++) optimizer.Step(() => 1000 * loss());
            return constraint.Value();
        }
        double release = Final(new EmaDualRule()), linearized = Final(new LinearizedDualRule());
        Assert.True(release > 0.05, $"release rule: C = {release} (this test needs a case where it lags)");
        Assert.True(linearized <= 0, $"linearized rule: C = {linearized}");
    }

    [Fact]
    public void AViolatedConstraintTheStepCannotMoveIsCountedNotDropped()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        var frozen = new Parameter(ones(1, ScalarType.Float64));
        // Depends only on a tensor with no task gradient this step (null): the step cannot act on it.
        using var optimizer = new GaltOptimizer(new[] { ("x", x), ("frozen", frozen) }, new GaltOptions { LearningRate = 0.05, WeightDecay = 0, RhoAnchor = 0 });
        optimizer.AddConstraint("frozen ≤ 0", ConstraintKind.Inequality);
        var gradients = new Tensor?[] { ones(2, ScalarType.Float64), null };
        var evaluation = new Galt.Jacobians.ConstraintEvaluation("frozen ≤ 0", 1.0, new Tensor?[] { null, ones(1, ScalarType.Float64) });
        optimizer.Step(gradients, new[] { evaluation });
        Assert.Equal(1, ((LinearizedRuleState)optimizer.Constraints[0].Rule).InactionableSteps);
    }

    [Fact]
    public void OptionsOutOfRangeAreRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => new GaltOptimizer(new[] { new Parameter(zeros(2)) }, new GaltOptions { MultiplierRule = new LinearizedDualRule { Fraction = 0 }, Contract = null }));
        Assert.Contains("MultiplierRule", e.Message);
    }

    [Fact]
    public void ATrustRadiusBoundsTheForceIncreaseByTheBaseStepInTheMetric()
    {
        // One constraint, sensitivity m, far violated after the step: the rule asks Δ = κ·(C_post − c*)/(lr·m).
        var sensitivity = new double[,] { { 0.01 } };
        double lr = 0.1, post = 5, baseNorm = 4;
        var open = new LinearizedDualRule { ErrorSafety = 0, MinimumSlack = 0 };
        var free = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: new LinearizedRuleState());
        double unbounded = open.Apply(new[] { free }, new[] { post }, sensitivity, lr, baseStepNorm: baseNorm)[0];
        Assert.Equal(post / lr / 0.01, unbounded, 6);
        Assert.Equal(0, free.RuleState<LinearizedRuleState>().TrustLimitedSteps);
        // With τ = 0.5 the change it makes to the step, √(Δ m Δ), is at most τ·√(δ_bᵀDδ_b) = 1: Δ = 1/√m = 10.
        var bounded = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: new LinearizedRuleState());
        double delta = (open with { TrustRadius = 0.5 }).Apply(new[] { bounded }, new[] { post }, sensitivity, lr, baseStepNorm: baseNorm)[0];
        Assert.Equal(10, delta, 9);
        Assert.Equal(10, bounded.Lambda, 9);
        Assert.Equal(1, bounded.RuleState<LinearizedRuleState>().TrustLimitedSteps);
        // A request inside the radius is untouched.
        var small = new MultiplierState("c", ConstraintKind.Inequality, 0, 1, rule: new LinearizedRuleState());
        Assert.Equal(0.001 / lr / 0.01, (open with { TrustRadius = 0.5 }).Apply(new[] { small }, new[] { 0.001 }, sensitivity, lr, baseStepNorm: baseNorm)[0], 9);
        Assert.Equal(0, small.RuleState<LinearizedRuleState>().TrustLimitedSteps);
        var e = Assert.Throws<ArgumentException>(() => new GaltOptimizer(new[] { new Parameter(zeros(2)) }, new GaltOptions { MultiplierRule = new LinearizedDualRule { TrustRadius = 0 }, Contract = null }));
        Assert.Contains("trust radius 0", e.Message);
    }
}
