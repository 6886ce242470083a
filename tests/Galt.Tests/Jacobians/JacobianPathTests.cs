using Galt.Constraints;
using Galt.Jacobians;
using Galt.Models;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Jacobians;

public class JacobianPathTests
{
    private static float[] Train(JacobianPath path)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        var model = new Mlp(6, 10, 4);
        var g = new Generator(3);
        var x = randn(new long[] { 32, 6 }, generator: g);
        var y = randint(0, 4, new long[] { 32 }, generator: g);
        using var optimizer = new GaltOptimizer(model.parameters(), new GaltOptions { LearningRate = 1e-2, Jacobians = path });
        optimizer.AddConstraint(new KlRetentionConstraint("retain_a", model, randn(new long[] { 8, 6 }, generator: g), margin: 0.001));
        optimizer.AddConstraint(new KlRetentionConstraint("retain_b", model, randn(new long[] { 5, 6 }, generator: g), temperature: 2, margin: 0.001));
        for (int s = 0; s < 30; s++) optimizer.Step(() => nn.functional.cross_entropy(model.forward(x), y));
        return model.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void BatchedAndAutogradPathsTrainTheSameModel()
    {
        var batched = Train(JacobianPath.Batched);
        var autograd = Train(JacobianPath.Autograd);
        double maxDiff = batched.Zip(autograd).Max(p => Math.Abs(p.First - p.Second));
        TrainedMetric.AtMost("max |batched − autograd| over the parameters after 30 steps", maxDiff, 1e-4);
    }

    [Fact]
    public void ForcingBatchedOnAScoreFunctionConstraintNamesIt()
    {
        using var scope = NewDisposeScope();
        var model = new Mlp(3, 2);
        using var optimizer = new GaltOptimizer(model.parameters(), new GaltOptions { Jacobians = JacobianPath.Batched });
        optimizer.AddConstraint(new KlRetentionConstraint("from_function", model.forward, randn(4, 3)));
        var e = Assert.Throws<NotSupportedException>(() => optimizer.Step(() => model.forward(randn(2, 3)).sum()));
        Assert.Contains("'from_function'", e.Message);
    }
}
