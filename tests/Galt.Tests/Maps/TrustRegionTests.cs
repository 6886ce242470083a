using Galt.Maps;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Tests.Maps;

/// <summary>
/// The ReLU toy of docs/maps.md (../shared/notes/maps.md check 8): Mlp(1, 2, 1) at x = 1, site W₀ = (¼, −½), b₀ = (0, 1),
/// W₁ = (1, −1), target m ≥ 1 (m = −¼ at the start). Each iteration takes the map's reach step at W₀ (D = I) for r = 1 − m
/// and scales it as the trust region allows.
/// </summary>
public class TrustRegionTests
{
    private sealed class Toy
    {
        public Tensor W0 = tensor(new[] { 0.25, -0.5 });
        private readonly Tensor _b0 = tensor(new[] { 0.0, 1.0 });
        private readonly Tensor _w1 = tensor(new[] { 1.0, -1.0 });

        public Tensor PreActivation(Tensor w0) => w0.Plus(_b0); // x = 1

        public Tensor Output(Tensor w0) => (nn.functional.relu(PreActivation(w0)) * _w1).sum();

        public double M => Output(W0).item<double>();

        /// <summary>∂m/∂W₀ by autograd (relu'(0) = 0, as libtorch has it).</summary>
        public Tensor Jacobian()
        {
            var w = W0.detach().requires_grad_(true);
            Output(w).backward();
            return w.grad!.detach().clone();
        }
    }

    /// <summary>Runs the toy for <paramref name="iterations"/>; returns m after each iteration and each iteration's σ.</summary>
    private static (List<double> M, List<double> Sigma) Run(TrustRegion mode, int iterations)
    {
        using var scope = NewDisposeScope();
        var toy = new Toy();
        var ms = new List<double>();
        var sigmas = new List<double>();
        for (int it = 0; it < iterations; it++)
        {
            double r = 1 - toy.M;
            if (r <= 1e-12) break;
            var j = toy.Jacobian();
            var map = NeuralMap.Compute(new[] { new MapRow("m ≥ 1", MapRowRole.Target, r) }, new[] { "W0" },
                NeuralMap.Grams(new[] { new Tensor?[] { j } }, new[] { ones_like(j) }, new[] { new[] { 0 } }));
            var delta = j.Times(map["W0"].ReachCoefficients[0]);
            var (sigma, _) = ChartSearch.Scale(mode, t =>
            {
                using var inner = NewDisposeScope();
                return toy.PreActivation(toy.W0.Plus(delta.Times(t))).sign().to_type(ScalarType.Int8).data<sbyte>().ToArray();
            });
            toy.W0 = toy.W0.Plus(delta.Times(sigma));
            ms.Add(toy.M);
            sigmas.Add(sigma);
        }
        return (ms, sigmas);
    }

    [Fact]
    public void RawPredictsTheTargetButLeavesTheChart()
    {
        var (m, sigma) = Run(TrustRegion.Raw, 1);
        Assert.Equal(1, sigma[0]);
        Assert.Equal(0.875, m[0], 12);
    }

    [Fact]
    public void BoundaryOnlyStallsAtTheChartsEdge()
    {
        var (m, sigma) = Run(TrustRegion.BoundaryOnly, 30);
        Assert.Equal(0.8, sigma[0], 5); // t_chart: unit 2's pre-activation ½ − 0.625 t reaches 0
        Assert.Equal(0.75, m[0], 5);
        Assert.All(m, v => Assert.InRange(v, 0.75 - 1e-5, 0.75 + 1e-5));
        Assert.True(sigma.Skip(1).All(s => s < 1e-5), $"later steps should be stopped at the boundary; σ = {string.Join(", ", sigma)}");
    }

    [Fact]
    public void ChartLocalReachesTheTargetInTwoIterations()
    {
        var (m, sigma) = Run(TrustRegion.ChartLocal, 10);
        Assert.Equal(2, m.Count);
        Assert.Equal(0.875, m[0], 12);
        Assert.Equal(1, m[1], 12);
        Assert.Equal(new[] { 1.0, 1.0 }, sigma);
    }
}
