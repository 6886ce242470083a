using Galt.Models;
using Galt.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>The paper's claim that GALT "reduces to ordinary training" with no constraints, checked against AdamW.</summary>
public class ReductionTests
{
    /// <summary>
    /// Two code paths that compute the same update in a different order agree up to rounding; float32 steps take the
    /// fused CPU kernels (<see cref="StepKernel.Fused"/>), float64 ones the tensor path. In float32 that rounding
    /// drifts over 100 steps by 2.4e-7 to 1.04e-6 (relative) depending on the CPU's kernels
    /// (docs/trained-metric-margins.md), so the float32 bound is 1e-5; float64 shows the update rules themselves agree.
    /// </summary>
    [Theory]
    [Trait("Category", TrainedMetric.Category)]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.Float64, 1e-12)]
    public void UnconstrainedGaltWithoutAnchorIsAdamW(ScalarType dtype, double bound)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var galtModel = new Mlp(8, 16, 4).to(dtype);
        random.manual_seed(3);
        var adamModel = new Mlp(8, 16, 4).to(dtype);
        var x = randn(32, 8, generator: new Generator(5)).to(dtype);
        var y = randint(0, 4, new long[] { 32 }, generator: new Generator(6));

        const double lr = 1e-2, wd = 0.01;
        using var galt = new GaltOptimizer(galtModel.parameters(), new GaltOptions { LearningRate = lr, WeightDecay = wd, RhoAnchor = 0 });
        using var adamW = optim.AdamW(adamModel.parameters(), lr, weight_decay: wd);
        for (int step = 0; step < 100; step++)
        {
            var result = galt.Step(() => nn.functional.cross_entropy(galtModel.forward(x), y));
            Assert.Equal(dtype == ScalarType.Float32, result.Fused);
            adamW.zero_grad();
            nn.functional.cross_entropy(adamModel.forward(x), y).backward();
            adamW.step();
        }
        double relative = galtModel.parameters().Zip(adamModel.parameters())
            .Max(p => (p.First - p.Second).abs().max().to(ScalarType.Float64).item<double>() / Math.Max(1, p.Second.abs().max().to(ScalarType.Float64).item<double>()));
        TrainedMetric.AtMost($"{dtype}: max |GALT − AdamW| / max(1, |θ|) per tensor after 100 steps", relative, bound);
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
            Assert.True(hessian.Step(() => nn.functional.cross_entropy(a.forward(x), y)).Fused, "a float32 model takes the fused kernels");
            adamW.zero_grad();
            nn.functional.cross_entropy(b.forward(x), y).backward();
            adamW.step();
        }
        TrainedMetric.AtMost("max |AlHessian − AdamW| after 50 steps", a.parameters().Zip(b.parameters()).Max(p => (double)(p.First - p.Second).abs().max().item<float>()), 1e-6);
    }
}
