using Galt.Constraints;
using Galt.Jacobians;
using Galt.Optim;
using Galt.Solve;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// The optimizers take the same steps with <see cref="StepKernel.Fused"/> as with <see cref="StepKernel.Tensor"/>:
/// anchor pull, weight decay, metric floor, both scopes, the linearised multiplier rule's re-solve, and steps whose
/// solve needs sequential Sherman–Morrison, which the fused path hands to the tensor path after the moments.
/// (Rows that nearly repeat are left to the Solve tests: there the tensor path's float32 Gram is the less exact of the
/// two, and the linearised rule's sensitivity magnifies that.)
/// </summary>
public class StepKernelTests
{
    private static readonly long[][] Shapes = { new long[] { 37, 11 }, new long[] { 11 }, new long[] { 5, 3 } };

    private static ConstrainedOptimizer Create(bool galt, StepKernel kernel, LowRankSolveOptions solve, Parameter[] parameters)
    {
        var named = parameters.Select((p, i) => ($"p{i}", p));
        ConstrainedOptimizer optimizer = galt
            ? new GaltOptimizer(named, new GaltOptions { LearningRate = 0.05, Kernel = kernel, Solve = solve, OuterStepFrequency = 3 })
            : new AlHessianOptimizer(named, new AlHessianOptions { LearningRate = 0.05, Kernel = kernel, Solve = solve });
        for (int i = 0; i < 5; i++) optimizer.AddConstraint($"c{i}", i % 2 == 0 ? ConstraintKind.Inequality : ConstraintKind.Equality);
        return optimizer;
    }

    [Theory]
    [InlineData(true, SolveScope.Global, false)]
    [InlineData(true, SolveScope.PerTensor, false)]
    [InlineData(false, SolveScope.Global, false)]
    [InlineData(true, SolveScope.Global, true)]
    public void FusedAndTensorKernelsTakeTheSameSteps(bool galt, SolveScope scope, bool sequential)
    {
        var solve = new LowRankSolveOptions(scope, UseWoodbury: !sequential);
        using var dispose = NewDisposeScope();
        var generator = new Generator(7);
        var initial = Shapes.Select(s => 0.05f * randn(s, generator: generator)).ToArray();
        var fusedParameters = initial.Select(t => new Parameter(t.clone())).ToArray();
        var tensorParameters = initial.Select(t => new Parameter(t.clone())).ToArray();
        using var fused = Create(galt, StepKernel.Fused, solve, fusedParameters);
        using var tensor = Create(galt, StepKernel.Tensor, solve, tensorParameters);
        var rng = new Random(3);
        int handedOver = 0;
        for (int step = 0; step < 8; step++)
        {
            var gradients = Shapes.Select(s => (Tensor?)randn(s, generator: generator)).ToArray();
            var evaluations = Enumerable.Range(0, 5).Select(i => new ConstraintEvaluation($"c{i}", rng.NextDouble() - 0.3,
                Shapes.Select(s => rng.NextDouble() < 0.2 ? null : (Tensor?)randn(s, generator: generator)).ToArray())).ToArray();
            var before = fusedParameters.Select(p => p.detach().to(ScalarType.Float64)).ToArray();
            var beforeTensor = tensorParameters.Select(p => p.detach().to(ScalarType.Float64)).ToArray();
            var a = fused.Step(gradients, evaluations);
            var b = tensor.Step(gradients, evaluations);
            Assert.False(b.Fused);
            Assert.Null(b.PassTimes);
            Assert.Equal(b.Path, a.Path);
            if (a.Path == SolvePath.SequentialShermanMorrison) handedOver++;
            else
            {
                Assert.True(a.Fused, $"step {step} ({a.Path}) did not take the fused path");
                // Every sweep ran (the constraints touch every tensor), and took time.
                var times = a.PassTimes!.Value;
                Assert.True(times.MomentsSeconds > 0 && times.GramSeconds > 0 && times.WriteSeconds > 0, $"step {step}: pass times {times}");
            }
            // The updates, not the parameters, so that rounding of θ itself does not hide a difference in δ.
            var moved = fusedParameters.Select((p, i) => p.detach().to(ScalarType.Float64) - before[i]).ToArray();
            var movedTensor = tensorParameters.Select((p, i) => p.detach().to(ScalarType.Float64) - beforeTensor[i]).ToArray();
            double difference = Math.Sqrt(moved.Zip(movedTensor).Sum(m => (m.First - m.Second).pow(2).sum().item<double>()));
            double size = Math.Sqrt(movedTensor.Sum(m => m.pow(2).sum().item<double>()));
            Assert.True(difference <= 1e-5 * size, $"step {step} ({a.Path}): the updates differ by {difference / size:e2} relative");
            for (int i = 0; i < 5; i++)
                Assert.True(Math.Abs(a.PostValues[i] - b.PostValues[i]) <= 1e-5 * (1 + Math.Abs(b.PostValues[i])), $"step {step}: post-value of c{i}");
        }
        for (int i = 0; i < 5; i++) Assert.Equal(tensor.Constraints[i].Lambda, fused.Constraints[i].Lambda, 1e-4 * (1 + Math.Abs(tensor.Constraints[i].Lambda)));
        Assert.Equal(sequential ? 8 : 0, handedOver);
    }

    [Fact]
    public void AFloat64ModelTakesTheTensorPath()
    {
        using var dispose = NewDisposeScope();
        var parameter = new Parameter(randn(4, ScalarType.Float64));
        using var optimizer = new GaltOptimizer(new[] { parameter });
        var result = optimizer.Step(new Tensor?[] { ones(4, ScalarType.Float64) }, Array.Empty<ConstraintEvaluation>());
        Assert.False(result.Fused);
        Assert.Null(result.PassTimes);
    }
}
