using Galt.Constraints;
using Galt.Maps;
using Galt.Optim;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Tests.Maps;

/// <summary>
/// <see cref="ConstrainedOptimizer.MapStep"/> on the note's ReLU toy (check 8) through the public API: a model
/// x → Linear(1, 2) → ReLU → Linear(2, 1) with W₀ = (¼, −½), b₀ = (0, 1), W₁ = (1, −1) at x = 1, the edit m ≥ 1 as a
/// target row, the site W₀. No step has been taken, so the metric is D = 1 and the map step is the toy's.
/// </summary>
public class MapStepTests
{
    private sealed class Toy : IDisposable
    {
        private readonly TorchSharp.DisposeScope _scope = NewDisposeScope();
        public readonly nn.Module<Tensor, Tensor> First = nn.Linear(1, 2), Model;
        public readonly Tensor X = ones(1, 1);
        public readonly GaltOptimizer Optimizer;
        public readonly FunctionConstraint Edit;

        public Toy()
        {
            var last = nn.Linear(2, 1);
            using (no_grad())
            {
                ((TorchSharp.Modules.Linear)First).weight!.copy_(tensor(new float[,] { { 0.25f }, { -0.5f } }));
                ((TorchSharp.Modules.Linear)First).bias!.copy_(tensor(new float[] { 0, 1 }));
                ((TorchSharp.Modules.Linear)last).weight!.copy_(tensor(new float[,] { { 1, -1 } }));
                ((TorchSharp.Modules.Linear)last).bias!.zero_();
            }
            Model = nn.Sequential(("first", First), ("relu", nn.ReLU()), ("last", last));
            Optimizer = new GaltOptimizer(Model.named_parameters(), new GaltOptions());
            // m ≥ 1: C = 1 − m ≤ 0.
            Edit = new FunctionConstraint("m ≥ 1", ConstraintKind.Inequality, () => Model.call(X).sum().neg(), margin: -1);
        }

        public double M => -Edit.Value() + 1;

        public StepResult Step(TrustRegion region)
        {
            var map = Optimizer.Map(new[] { ((Constraint)Edit, MapRowRole.Target) }, "first.weight");
            return Optimizer.MapStep(map, map.Select(), region, () => new[] { First.call(X) });
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            _scope.Dispose();
        }
    }

    [Fact]
    public void RawPredictsTheTargetAndRealisesLess()
    {
        using var toy = new Toy();
        Assert.Equal(-0.25, toy.M, 6);
        var step = toy.Step(TrustRegion.Raw);
        Assert.Equal(0, step.PostValues[0], 6);          // predicted: m = 1
        Assert.Equal(0.125, step.MeasuredValues[0], 6);  // realised: m = 0.875
        Assert.Equal(1, step.Scale);
    }

    [Fact]
    public void BoundaryOnlyStallsAndChartLocalReachesTheTargetInTwoSteps()
    {
        using (var toy = new Toy())
        {
            var first = toy.Step(TrustRegion.BoundaryOnly);
            Assert.Equal(0.8, first.Scale, 5);
            for (int i = 0; i < 10; i++) toy.Step(TrustRegion.BoundaryOnly);
            Assert.Equal(0.75, toy.M, 5);
        }
        using (var toy = new Toy())
        {
            var first = toy.Step(TrustRegion.ChartLocal);
            Assert.Equal(1, first.Scale);
            Assert.Equal(0.875, toy.M, 6);
            var second = toy.Step(TrustRegion.ChartLocal);
            Assert.Equal(1, toy.M, 6);
            Assert.Equal(0, second.MeasuredValues[0], 6);
            Assert.Equal(0, toy.Optimizer.StepCount); // map steps move no moment and count no optimizer step
        }
    }

    [Fact]
    public void AFailedMapStepLeavesTheParametersAsTheyWereAndAStaleMapIsRefused()
    {
        using var toy = new Toy();
        var weight = toy.Optimizer.Parameters[0].detach().clone();
        var map = toy.Optimizer.Map(new[] { ((Constraint)toy.Edit, MapRowRole.Target) }, "first.weight");
        int calls = 0;
        var failing = () => calls++ < 3 ? (IReadOnlyList<Tensor>)new[] { toy.First.call(toy.X) } : throw new InvalidOperationException("probe failed");
        Assert.Throws<InvalidOperationException>(() => toy.Optimizer.MapStep(map, map.Select(), TrustRegion.BoundaryOnly, failing));
        Assert.True(toy.Optimizer.Parameters[0].detach().eq(weight).all().item<bool>(), "the parameters moved though the step failed");
        Assert.Contains("needs the pre-activations", Assert.Throws<ArgumentException>(() => toy.Optimizer.MapStep(map, map.Select(), TrustRegion.ChartLocal)).Message);

        toy.Optimizer.MapStep(map, map.Select());                           // moves the parameters
        Assert.Contains("compute a new map", Assert.Throws<InvalidOperationException>(() => toy.Optimizer.MapStep(map, map.Select())).Message);
    }
}
