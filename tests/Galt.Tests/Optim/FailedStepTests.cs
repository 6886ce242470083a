using Galt.Constraints;
using Galt.Jacobians;
using Galt.Models;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>A NaN or Inf in a constraint value, a Jacobian or a task gradient is refused before any state changes.</summary>
public class FailedStepTests
{
    private sealed record Snapshot(float[][] Parameters, float[][] FirstMoments, float[][] SecondMoments, int[] Steps, float[][] Anchors,
        (double Lambda, double Rho, double Error, double Value, int Corrections, int History)[] Multipliers, int StepCount, int Inner);

    private static float[] Bits(Tensor? t) => t is null ? Array.Empty<float>() : t.detach().cpu().data<float>().ToArray();

    private static Snapshot Take(GaltOptimizer o) => new(
        o.Parameters.Select(p => Bits(p)).ToArray(),
        Enumerable.Range(0, o.Parameters.Count).Select(p => Bits(o.Metric.FirstMoment(p))).ToArray(),
        Enumerable.Range(0, o.Parameters.Count).Select(p => Bits(o.Metric.SecondMoment(p))).ToArray(),
        Enumerable.Range(0, o.Parameters.Count).Select(p => o.Metric.StepCount(p)).ToArray(),
        Enumerable.Range(0, o.Parameters.Count).Select(p => Bits(o.Anchor(p))).ToArray(),
        o.Constraints.Select(c => (c.Lambda, c.Rho, ((Galt.Multipliers.LinearizedRuleState)c.Rule).LinearizationError, c.Value, c.ContractCorrections, c.RecentViolations.Count)).ToArray(),
        o.StepCount, o.InnerCounter);

    private static void AssertSame(Snapshot a, Snapshot b)
    {
        Assert.Equal(a.StepCount, b.StepCount);
        Assert.Equal(a.Inner, b.Inner);
        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(a.Multipliers, b.Multipliers);
        foreach (var (x, y) in new[] { (a.Parameters, b.Parameters), (a.FirstMoments, b.FirstMoments), (a.SecondMoments, b.SecondMoments), (a.Anchors, b.Anchors) })
            for (int p = 0; p < x.Length; p++)
                Assert.True(x[p].AsSpan().SequenceEqual(y[p]), $"tensor {p} changed although the step failed");
    }

    private static (Mlp Model, GaltOptimizer Optimizer, Tensor X, Tensor Y, bool[] Poison) Setup()
    {
        random.manual_seed(11);
        var model = new Mlp(5, 7, 3);
        var x = randn(12, 5, generator: new Generator(1));
        var y = randint(0, 3, new long[] { 12 }, generator: new Generator(2));
        var optimizer = new GaltOptimizer(model.named_parameters().Select(np => (np.name, np.parameter)), new GaltOptions { LearningRate = 1e-2, OuterStepFrequency = 3 });
        var poison = new bool[1];
        optimizer.AddConstraint(new FunctionConstraint("logit_bound", ConstraintKind.Inequality,
            () => poison[0] ? model.forward(x).pow(2).mean() * double.NaN : model.forward(x).pow(2).mean(), margin: 0.5));
        optimizer.AddConstraint(new FunctionConstraint("bias_sum", ConstraintKind.Equality, () => model.Layers[1].bias!.sum()));
        for (int s = 0; s < 4; s++) optimizer.Step(() => nn.functional.cross_entropy(model.forward(x), y));
        return (model, optimizer, x, y, poison);
    }

    [Fact]
    public void NaNConstraintValueIsRefusedNamingTheConstraint()
    {
        using var scope = NewDisposeScope();
        var (model, optimizer, x, y, poison) = Setup();
        var before = Take(optimizer);
        poison[0] = true;
        var e = Assert.Throws<NonFiniteValueException>(() => optimizer.Step(() => nn.functional.cross_entropy(model.forward(x), y)));
        Assert.Equal("logit_bound", e.Source);
        Assert.Contains("'logit_bound'", e.Message);
        AssertSame(before, Take(optimizer));
        poison[0] = false;
        optimizer.Step(() => nn.functional.cross_entropy(model.forward(x), y)); // and it carries on
        Assert.Equal(before.StepCount + 1, optimizer.StepCount);
    }

    [Fact]
    public void InfInAJacobianIsRefusedNamingTheConstraint()
    {
        using var scope = NewDisposeScope();
        var (model, optimizer, x, y, _) = Setup();
        var before = Take(optimizer);
        var parameters = optimizer.Parameters;
        var (_, taskGradients) = AutogradJacobians.ValueAndGradient(nn.functional.cross_entropy(model.forward(x), y), parameters);
        var good = new ConstraintEvaluation("logit_bound", 0.1, parameters.Select(p => (Tensor?)zeros_like(p)).ToArray());
        var badJacobian = parameters.Select(p => (Tensor?)ones_like(p)).ToArray();
        badJacobian[2]![0, 0] = float.PositiveInfinity;
        var bad = new ConstraintEvaluation("bias_sum", 0.2, badJacobian);
        var e = Assert.Throws<NonFiniteValueException>(() => optimizer.Step(taskGradients, new[] { good, bad }));
        Assert.Equal("bias_sum", e.Source);
        AssertSame(before, Take(optimizer));
    }

    [Fact]
    public void NaNTaskGradientIsRefusedNamingTheParameter()
    {
        using var scope = NewDisposeScope();
        var (model, optimizer, x, y, _) = Setup();
        var before = Take(optimizer);
        var e = Assert.Throws<NonFiniteValueException>(() => optimizer.Step(() => nn.functional.cross_entropy(model.forward(x), y) + model.Layers[0].weight!.sum() * double.NaN * 0));
        Assert.True(e.Source is "task loss" || e.Source.StartsWith("layers.0"), $"blamed {e.Source}");
        AssertSame(before, Take(optimizer));

        var zeros = optimizer.Parameters.Select(p => (Tensor?)zeros_like(p)).ToArray();
        var grads = optimizer.Parameters.Select(p => (Tensor?)ones_like(p)).ToArray();
        grads[1]![0] = float.NaN;
        var evaluations = new[] { new ConstraintEvaluation("logit_bound", 0, zeros), new ConstraintEvaluation("bias_sum", 0, zeros) };
        var g = Assert.Throws<NonFiniteValueException>(() => optimizer.Step(grads, evaluations));
        Assert.Equal(optimizer.ParameterNames[1], g.Source);
        AssertSame(before, Take(optimizer));
    }

    [Fact]
    public void EvaluationsOutOfOrderAreRefused()
    {
        using var scope = NewDisposeScope();
        var (_, optimizer, _, _, _) = Setup();
        var zeros = optimizer.Parameters.Select(p => (Tensor?)zeros_like(p)).ToArray();
        var e = Assert.Throws<ArgumentException>(() => optimizer.Step(zeros, new[] { new ConstraintEvaluation("bias_sum", 0, zeros), new ConstraintEvaluation("logit_bound", 0, zeros) }));
        Assert.Contains("registration order", e.Message);
    }
}
