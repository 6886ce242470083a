using Galt.Constraints;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

public class TaskBoundaryTests
{
    [Fact]
    public void ResetForNewTaskCarriesLambdaAndRestartsTheWindow()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(tensor(new double[] { 0, 0 }, ScalarType.Float64), requires_grad: true);
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.05, WeightDecay = 0, OuterStepFrequency = 4, RhoAnchor = 0.2, MultiplierRule = new Galt.Multipliers.PiDualRule(), Contract = null });
        optimizer.AddConstraint(new FunctionConstraint("sum_bound", ConstraintKind.Inequality, () => x.sum() - 1));
        var target = tensor(new double[] { 3, 3 }, ScalarType.Float64);
        for (int s = 0; s < 22; s++) optimizer.Step(() => (x - target).pow(2).sum());
        var before = optimizer.Constraints[0];
        Assert.True(before.Lambda > 0);
        Assert.Equal(2, optimizer.InnerCounter);

        optimizer.ResetForNewTask(carry: 0.5);
        var after = optimizer.Constraints[0];
        Assert.Equal(before.Lambda * 0.5, after.Lambda, 12);
        Assert.Equal(0, ((Galt.Multipliers.PiRuleState)after.Rule).Integral);
        Assert.Equal(before.Rho, after.Rho);   // ρ_P is not reset
        Assert.Equal(0, optimizer.InnerCounter);
        Assert.Equal(x.detach().data<double>().ToArray(), optimizer.Anchor(0)!.data<double>().ToArray());
    }

    [Fact]
    public void RegisteringTwoConstraintsWithOneNameIsRefused()
    {
        using var scope = NewDisposeScope();
        var x = new Parameter(zeros(2), requires_grad: true);
        using var optimizer = new GaltOptimizer(new[] { x });
        optimizer.AddConstraint("a", ConstraintKind.Equality);
        Assert.Contains("'a' is already registered", Assert.Throws<ArgumentException>(() => optimizer.AddConstraint("a", ConstraintKind.Inequality)).Message);
        Assert.Contains("registered by name only", Assert.Throws<InvalidOperationException>(() => optimizer.Step(() => x.sum())).Message);
    }
}
