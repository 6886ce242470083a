using Galt.Constraints;
using TorchSharp;
using Galt.Jacobians;
using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Tests.Constraints;

public class ConstraintTests
{
    [Fact]
    public void KlRetentionIsZeroAtCreationAndMatchesTheFormulaAfterTheModelMoves()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        var model = new Mlp(4, 6, 3);
        var anchors = randn(10, 4, generator: new Generator(3));
        using var kl = new KlRetentionConstraint("retain", model.forward, anchors, temperature: 1.5, margin: 0.02);
        Assert.Equal(-0.02, kl.Value(), 6); // K = 0 at creation, C = −margin
        Assert.Equal(ConstraintKind.Inequality, kl.Kind);

        double[] before;
        using (no_grad()) before = nn.functional.softmax(model.forward(anchors) / 1.5, 1).to(ScalarType.Float64).data<double>().ToArray();
        using (no_grad()) foreach (var p in model.parameters()) p.add_(randn(p.shape, generator: new Generator(9)));
        double[] after;
        using (no_grad()) after = nn.functional.log_softmax(model.forward(anchors) / 1.5, 1).to(ScalarType.Float64).data<double>().ToArray();
        double expected = 0;
        for (int i = 0; i < before.Length; i++) expected += before[i] * (Math.Log(Math.Max(before[i], 1e-12)) - after[i]);
        expected = expected / 10 * 1.5 * 1.5 - 0.02; // T²·mean KL − margin
        Assert.Equal(expected, kl.Value(), 1e-5);
        Assert.True(kl.Value() > 0);
    }

    [Fact]
    public void ForbiddenMassIsASmoothMaximumOverProbes()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[,] { { 0, 0 }, { 0, (float)Math.Log(3) } }); // p(class 1) = 0.5 and 0.75
        var probes = zeros(2, 1);
        var mask = tensor(new float[,] { { 0, 1 }, { 0, 1 } });
        using var hard = new ForbiddenMassConstraint("forbid", _ => logits, probes, mask, margin: 0.1, lseTemperature: 0);
        Assert.Equal(0.75 - 0.1, hard.Value(), 6);
        using var smooth = new ForbiddenMassConstraint("forbid", _ => logits, probes, mask, margin: 0.1, lseTemperature: 0.1);
        double lse = 0.1 * Math.Log(Math.Exp(5) + Math.Exp(7.5));
        Assert.Equal(lse - 0.1, smooth.Value(), 1e-5);
    }

    [Fact]
    public void JacobianIsNullOnParametersTheConstraintDoesNotTouch()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        var model = new Mlp(3, 4, 2);
        var parameters = model.parameters().ToArray();
        using var c = new FunctionConstraint("last_bias", ConstraintKind.Equality, () => model.Layers[1].bias!.sum() - 1);
        using var e = AutogradJacobians.Evaluate(c, parameters);
        Assert.Equal(4, e.Jacobian.Length);
        Assert.Null(e.Jacobian[0]);
        Assert.Null(e.Jacobian[1]);
        Assert.Null(e.Jacobian[2]);
        Assert.Equal(new float[] { 1, 1 }, e.Jacobian[3]!.data<float>().ToArray());
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("non-empty name", Assert.Throws<ArgumentException>(() => new FunctionConstraint(" ", ConstraintKind.Equality, () => zeros(1))).Message);
        var e = Assert.Throws<ArgumentException>(() => new KlRetentionConstraint("retain_task_0", x => x, zeros(0, 3)));
        Assert.Contains("retain_task_0", e.Message);
        using var vector = new FunctionConstraint("not_scalar", ConstraintKind.Equality, () => zeros(3));
        Assert.Contains("not_scalar", Assert.Throws<InvalidOperationException>(() => vector.Value()).Message);
    }
}

public class BoundaryStateConstraintTests
{
    [Fact]
    public void DriftIsMeasuredFromTheSnapshotAndRefreshResetsIt()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var layer = nn.Linear(3, 2);
        var probe = randn(5, 3, generator: new Generator(2));
        using var edge = new BoundaryStateConstraint("forward_block_0", () => layer.call(probe));
        Assert.Equal(0, edge.Value(), 12);
        Tensor before;
        using (no_grad()) before = layer.call(probe).clone();
        using (no_grad()) layer.bias!.add_(0.5f);
        Tensor after;
        using (no_grad()) after = layer.call(probe);
        Assert.Equal((after - before).pow(2).mean().item<float>(), edge.Value(), 1e-5);
        Assert.Equal(0.25, edge.Value(), 1e-5);
        edge.Refresh();
        Assert.Equal(0, edge.Value(), 12);
    }
}
