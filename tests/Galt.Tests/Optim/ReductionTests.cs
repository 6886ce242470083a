using Galt.Models;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>The paper's claim that GALT "reduces to ordinary training" with no constraints, checked against AdamW.</summary>
public class ReductionTests
{
    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void UnconstrainedGaltWithoutAnchorIsAdamW()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var galtModel = new Mlp(8, 16, 4);
        random.manual_seed(3);
        var adamModel = new Mlp(8, 16, 4);
        var x = randn(32, 8, generator: new Generator(5));
        var y = randint(0, 4, new long[] { 32 }, generator: new Generator(6));

        const double lr = 1e-2, wd = 0.01;
        using var galt = new GaltOptimizer(galtModel.parameters(), new GaltOptions { LearningRate = lr, WeightDecay = wd, RhoAnchor = 0 });
        using var adamW = optim.AdamW(adamModel.parameters(), lr, weight_decay: wd);
        for (int step = 0; step < 100; step++)
        {
            galt.Step(() => nn.functional.cross_entropy(galtModel.forward(x), y));
            adamW.zero_grad();
            nn.functional.cross_entropy(adamModel.forward(x), y).backward();
            adamW.step();
        }
        double relative = galtModel.parameters().Zip(adamModel.parameters())
            .Max(p => (p.First - p.Second).abs().max().item<float>() / Math.Max(1, p.Second.abs().max().item<float>()));
        TrainedMetric.AtMost("max |GALT − AdamW| / max(1, |θ|) per tensor after 100 steps", relative, 1e-6);
        Assert.Equal(100, galt.Metric.StepCount(0));
    }

    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void UnconstrainedAlHessianIsAdamWToo()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var a = new Mlp(6, 5, 3);
        random.manual_seed(4);
        var b = new Mlp(6, 5, 3);
        var x = randn(16, 6, generator: new Generator(1));
        var y = randint(0, 3, new long[] { 16 }, generator: new Generator(2));
        using var hessian = new AlHessianOptimizer(a.parameters(), new AlHessianOptions { LearningRate = 1e-2 });
        using var adamW = optim.AdamW(b.parameters(), 1e-2, weight_decay: 0.01);
        for (int step = 0; step < 50; step++)
        {
            hessian.Step(() => nn.functional.cross_entropy(a.forward(x), y));
            adamW.zero_grad();
            nn.functional.cross_entropy(b.forward(x), y).backward();
            adamW.step();
        }
        TrainedMetric.AtMost("max |AlHessian − AdamW| after 50 steps", a.parameters().Zip(b.parameters()).Max(p => (double)(p.First - p.Second).abs().max().item<float>()), 1e-6);
    }
}
