using Galt.Constraints;
using Galt.Multipliers;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

public class CertificateAndRestorationTests
{
    [Fact]
    public void TheCertificateReportsTheHeldOutTwinBesideTheConstraint()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(tensor(new[] { 0.5, 0.2 }, ScalarType.Float64));
        var held = new FunctionConstraint("x0 ≤ 1", ConstraintKind.Inequality, () => x[0], margin: 1);
        var twin = new FunctionConstraint("x0 + x1 ≤ 0.6 (held out)", ConstraintKind.Inequality, () => x[0] + x[1], margin: 0.6);
        var plain = new FunctionConstraint("x1 ≤ 1", ConstraintKind.Inequality, () => x[1], margin: 1);
        using var optimizer = new GaltOptimizer(new[] { ("x", x) });
        optimizer.AddConstraint(held, heldOut: twin);
        optimizer.AddConstraint(plain);
        var certificate = optimizer.Certify();
        var row = certificate["x0 ≤ 1"];
        Assert.Equal(-0.5, row.Value, 12);
        Assert.True(row.Feasible);
        Assert.Equal(0.1, row.HeldOutValue, 12);
        Assert.Equal(0.1, row.HeldOutViolation, 12);
        Assert.False(row.HeldOutFeasible);
        Assert.Null(certificate["x1 ≤ 1"].HeldOutFeasible);
        Assert.True(double.IsNaN(certificate["x1 ≤ 1"].HeldOutValue));
        Assert.Equal(0.1, certificate.MaxHeldOutViolation, 12);
        Assert.True(certificate.AllFeasible, "the held-out twin never decides feasibility: it is evidence of generalisation");
    }

    [Fact]
    public void AHeldOutTwinOfAnotherKindIsRefused()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { ("x", x) });
        var e = Assert.Throws<ArgumentException>(() => optimizer.AddConstraint(
            new FunctionConstraint("c", ConstraintKind.Inequality, () => x.sum()), heldOut: new FunctionConstraint("c'", ConstraintKind.Equality, () => x.sum())));
        Assert.Contains("c'", e.Message);
        Assert.Empty(optimizer.Constraints);
    }

    [Fact]
    public void RestorationReachesFeasibilityAndMovesNothingButTheParameters()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(4, ScalarType.Float64));
        var a = tensor(new[] { 1.0, 2.0, 0.5, 1.0 }, ScalarType.Float64);
        var constraint = new FunctionConstraint("a·x ≤ 1", ConstraintKind.Inequality, () => (a * x).sum(), margin: 1);
        using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions { LearningRate = 0.1, WeightDecay = 0, MultiplierRule = new EmaDualRule(), Contract = null });
        optimizer.AddConstraint(constraint);
        var target = full(4, 5.0, ScalarType.Float64);
        // A steep task (Adam's metric D grows with it, so a fixed-gain force J/D barely acts): the release rule lags.
        for (int s = 0; s < 30; s++) optimizer.Step(() => 1000 * (x - target).pow(2).sum());
        Assert.True(constraint.Value() > 0.1, $"the release rule should leave this constraint violated; C = {constraint.Value()}");
        var moment = optimizer.Metric.FirstMoment(0)!.clone();
        double lambda = optimizer.Constraints[0].Lambda;
        int steps = optimizer.StepCount;

        var result = optimizer.Restore();
        Assert.True(result.Feasible, $"C = {result.Values[0]} after {result.Steps} steps");
        Assert.True(constraint.Value() <= 0);
        // A linear constraint: one step lands exactly (the second evaluation only confirms).
        Assert.Equal(1, result.Steps);
        Assert.Equal(2, result.Evaluations);
        Assert.Equal(moment.data<double>().ToArray(), optimizer.Metric.FirstMoment(0)!.data<double>().ToArray());
        Assert.Equal(lambda, optimizer.Constraints[0].Lambda);
        Assert.Equal(steps, optimizer.StepCount);
    }

    [Fact]
    public void RestorationOfAFeasiblePointTakesNoStep()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { ("x", x) });
        optimizer.AddConstraint(new FunctionConstraint("x0 ≤ 1", ConstraintKind.Inequality, () => x[0], margin: 1));
        optimizer.Step(() => x.pow(2).sum());
        var before = x.detach().clone();
        var result = optimizer.Restore();
        Assert.Equal(0, result.Steps);
        Assert.True(result.Feasible);
        Assert.Equal(before.data<double>().ToArray(), x.detach().data<double>().ToArray());
    }

    [Fact]
    public void RestorationNeedsConstraintObjects()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { ("x", x) });
        optimizer.AddConstraint("by name", ConstraintKind.Inequality);
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Restore());
        Assert.Contains("by name", e.Message);
    }

    [Fact]
    public void ARestorationStepThatWouldLandOnNaNIsHalvedUntilItLowersTheViolation()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(ones(1, ScalarType.Float64));
        // C = log x + 1 ≤ 0: at x = 1 the linearised step lands at x = −1e-6, where log is NaN.
        var constraint = new FunctionConstraint("log x ≤ −1", ConstraintKind.Inequality, () => x.log().sum() + 1);
        using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions { LearningRate = 0.1, WeightDecay = 0 });
        optimizer.AddConstraint(constraint);
        optimizer.Step(new Tensor?[] { zeros(1, ScalarType.Float64) }, new[] { new Galt.Jacobians.ConstraintEvaluation("log x ≤ −1", 1, new Tensor?[] { null }) });
        Assert.Equal(1.0, x.detach().item<double>());

        var result = optimizer.Restore();
        Assert.True(result.Feasible, $"C = {result.Values[0]} after {result.Steps} steps, {result.Halvings} halvings ({result.StopReason})");
        Assert.True(result.Halvings >= 1, "the whole first step lands on NaN and must have been halved");
        Assert.True(double.IsFinite(x.detach().item<double>()) && x.detach().item<double>() > 0, $"x = {x.detach().item<double>()}");
        Assert.True(constraint.Value() <= 0);
        Assert.Null(result.StopReason);
    }

    [Fact]
    public void ARestorationThatCannotLowerTheViolationStopsWithTheParametersAsTheyWereAndSaysWhy()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(1, ScalarType.Float64));
        // C = 1 + x + 10·relu(−x): autograd gives slope 1 at the kink, but every move to x < 0 raises C.
        var constraint = new FunctionConstraint("kink", ConstraintKind.Inequality, () => (1 + x + 10 * nn.functional.relu(-x)).sum());
        using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions { LearningRate = 0.1, WeightDecay = 0 });
        optimizer.AddConstraint(constraint);
        optimizer.Step(new Tensor?[] { zeros(1, ScalarType.Float64) }, new[] { new Galt.Jacobians.ConstraintEvaluation("kink", 1, new Tensor?[] { null }) });

        var result = optimizer.Restore();
        Assert.False(result.Feasible);
        Assert.Equal(0, result.Steps);
        Assert.Equal(new RestorationOptions().MaxHalvings, result.Halvings);
        Assert.Contains("kept the total violation below its value at the start", result.StopReason);
        Assert.Equal(0.0, x.detach().item<double>());
        Assert.Equal(1.0, result.Values[0], 12);
    }
}
