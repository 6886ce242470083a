using Galt.Models;
using TorchSharp;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>TorchSharp's learning-rate schedulers drive the constrained optimizers.</summary>
public class SchedulerTests
{
    [Fact]
    public void StepLrSetsEveryStepsRateAndTheStepUsesIt()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var galtModel = new Mlp(8, 16, 4).to(ScalarType.Float64);
        random.manual_seed(3);
        var adamModel = new Mlp(8, 16, 4).to(ScalarType.Float64);
        var x = randn(32, 8, generator: new Generator(5)).to(ScalarType.Float64);
        var y = randint(0, 4, new long[] { 32 }, generator: new Generator(6));
        using var galt = new GaltOptimizer(galtModel.parameters(), new GaltOptions { LearningRate = 0.05, WeightDecay = 0.01, RhoAnchor = 0 });
        using var adamW = optim.AdamW(adamModel.parameters(), 0.05, weight_decay: 0.01);
        var galtSchedule = optim.lr_scheduler.StepLR(galt, step_size: 3, gamma: 0.5);
        var adamSchedule = optim.lr_scheduler.StepLR(adamW, step_size: 3, gamma: 0.5);
        for (int s = 0; s < 10; s++)
        {
            Assert.Equal(0.05 * Math.Pow(0.5, s / 3), galt.LearningRate, 15);
            galt.Step(() => nn.functional.cross_entropy(galtModel.forward(x), y));
            adamW.zero_grad();
            nn.functional.cross_entropy(adamModel.forward(x), y).backward();
            adamW.step();
            galtSchedule.step();
            adamSchedule.step();
        }
        // With no constraint and no anchor GALT is AdamW: the same schedule gives the same parameters.
        double worst = galtModel.parameters().Zip(adamModel.parameters()).Max(p => (p.First - p.Second).abs().max().item<double>());
        Assert.True(worst < 1e-10, $"max |GALT − AdamW| under StepLR = {worst}");
    }

    [Fact]
    public void CosineAnnealingSetsTheRateOfTheFormula()
    {
        using var scope = NewDisposeScope();
        var x = new TorchSharp.Modules.Parameter(zeros(3, ScalarType.Float64));
        using var optimizer = new AlHessianOptimizer(new[] { ("x", x) }, new AlHessianOptions { LearningRate = 0.1, WeightDecay = 0 });
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: 8, eta_min: 0.01);
        for (int t = 0; t < 8; t++)
        {
            double expected = 0.01 + (0.1 - 0.01) * (1 + Math.Cos(Math.PI * t / 8)) / 2;
            Assert.Equal(expected, optimizer.LearningRate, 12);
            optimizer.Step(() => (x - 1).pow(2).sum());
            schedule.step();
        }
    }

    [Fact]
    public void ARateOutOfRangeIsRefusedAndChangesNothing()
    {
        using var scope = NewDisposeScope();
        var x = new TorchSharp.Modules.Parameter(zeros(2, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { ("x", x) }, new GaltOptions { LearningRate = 0.1, WeightDecay = 0.5 });
        Assert.Throws<ArgumentException>(() => optimizer.LearningRate = -1);
        Assert.Throws<ArgumentException>(() => optimizer.LearningRate = 2.5); // lr·wd ≥ 1
        Assert.Equal(0.1, optimizer.LearningRate);
    }
}
