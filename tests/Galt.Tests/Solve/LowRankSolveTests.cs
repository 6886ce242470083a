using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

public class LowRankSolveTests
{
    private static double RelativeError(Tensor[] actual, Tensor[] expected)
    {
        using var scope = NewDisposeScope();
        var a = cat(actual.Select(t => t.reshape(-1)).ToArray());
        var e = cat(expected.Select(t => t.reshape(-1)).ToArray());
        return (a - e).norm().item<double>() / Math.Max(1e-300, e.norm().item<double>());
    }

    /// <summary>cond₂(S) computed independently of the solver, with dense float64 tensors and torch.linalg.cond.</summary>
    private static double IndependentCondition(LowRankProblem problem, int[] active)
    {
        using var scope = NewDisposeScope();
        var d = cat(problem.Metric.Select(t => t.reshape(-1)).ToArray());
        var j = stack(active.Select(i => cat(Enumerable.Range(0, problem.TensorCount).Select(p => (problem.Jacobians[i][p] ?? zeros_like(problem.Metric[p])).reshape(-1)).ToArray())).ToArray());
        var s = j.matmul((j / d).t()) + diag(tensor(active.Select(i => 1 / Math.Max(problem.Stiffness[i], 1e-10)).ToArray(), ScalarType.Float64));
        return linalg.cond(s).item<double>();
    }

    [Fact]
    public void GlobalSolveEqualsDenseSolveOnRandomProblems()
    {
        int woodbury = 0, shermanMorrison = 0;
        SeededProperty.ForAll(ProblemSpec.Gen(), cases: 120, seed: 2026, spec =>
        {
            using var scope = NewDisposeScope();
            var problem = spec.Build();
            using var solution = LowRankSolve.Solve(problem);
            var active = problem.ActiveConstraints();
            if (solution.Path == SolvePath.SequentialShermanMorrison)
            {
                Assert.True(IndependentCondition(problem, active) > 1e6, "fell back although S is well conditioned");
                return;
            }
            var dense = DenseReferenceSolve.Solve(problem);
            double error = RelativeError(solution.Direction, dense);
            Assert.True(error <= 1e-6, $"k={spec.K} d={spec.D} tensors={spec.TensorSizes.Length} path={solution.Path}: relative error {error:e2}");
            for (int i = 0; i < problem.ConstraintCount; i++)
            {
                double explicitDot = 0;
                for (int p = 0; p < problem.TensorCount; p++)
                    if (problem.Jacobians[i][p] is { } j) explicitDot += j.mul(dense[p]).sum().item<double>();
                Assert.Equal(explicitDot, solution.JacobianDotDirection[i], Math.Max(1e-9, Math.Abs(explicitDot) * 1e-6));
            }
            if (solution.Path == SolvePath.Woodbury) woodbury++;
            if (solution.Path == SolvePath.ShermanMorrison) shermanMorrison++;
        });
        Assert.True(woodbury > 50 && shermanMorrison > 3, $"the cases exercised Woodbury {woodbury} and Sherman–Morrison {shermanMorrison} times");
    }

    [Fact]
    public void PerTensorSolveEqualsBlockDiagonalDenseSolve()
    {
        SeededProperty.ForAll(ProblemSpec.Gen(maxK: 8, maxD: 300), cases: 60, seed: 7, spec =>
        {
            using var scope = NewDisposeScope();
            var problem = spec.Build();
            using var solution = LowRankSolve.Solve(problem, new LowRankSolveOptions(SolveScope.PerTensor));
            if (solution.FellBack) return;
            var dense = DenseReferenceSolve.Solve(problem, SolveScope.PerTensor);
            double error = RelativeError(solution.Direction, dense);
            Assert.True(error <= 1e-6, $"k={spec.K} d={spec.D}: relative error {error:e2}");
        });
    }

    [Fact]
    public void FallbackFiresExactlyWhenConditionExceedsTheLimit()
    {
        int fired = 0, notFired = 0;
        SeededProperty.ForAll(ProblemSpec.Gen(maxK: 6, maxD: 200, duplicates: true), cases: 120, seed: 99, spec =>
        {
            using var scope = NewDisposeScope();
            var problem = spec.Build();
            var active = problem.ActiveConstraints();
            if (active.Length < 2) return;
            using var solution = LowRankSolve.Solve(problem);
            double cond = IndependentCondition(problem, active);
            if (Math.Abs(cond / 1e6 - 1) < 1e-6) return; // too close to call in floating point
            Assert.Equal(cond > 1e6, solution.Path == SolvePath.SequentialShermanMorrison);
            Assert.Equal(cond, solution.ConditionNumber, cond * 1e-6);
            if (cond > 1e6) fired++; else notFired++;
        });
        Assert.True(fired > 10 && notFired > 10, $"fallback fired {fired} times and did not {notFired} times");
    }

    [Theory]
    [InlineData(4, 2000)]
    [InlineData(16, 4000)]
    public void LargeFixedCasesEqualDenseSolve(int k, int d)
    {
        using var scope = NewDisposeScope();
        var spec = new ProblemSpec(k, new[] { d / 2, d / 4, d - d / 2 - d / 4 }, TensorSeed: 31 + k, NullFraction: 0.1, RhoMin: 0.5, RhoMax: 5, DuplicateRows: false);
        var problem = spec.Build();
        using var solution = LowRankSolve.Solve(problem);
        Assert.Equal(SolvePath.Woodbury, solution.Path);
        Assert.True(RelativeError(solution.Direction, DenseReferenceSolve.Solve(problem)) <= 1e-6);
    }

    [Fact]
    public void NoConstraintGivesTheBaseDirectionAndOneGivesShermanMorrison()
    {
        using var scope = NewDisposeScope();
        var d = new[] { tensor(new double[] { 2, 4 }) };
        var b = new[] { tensor(new double[] { 1, -1 }) };
        using (var free = LowRankSolve.Solve(new LowRankProblem(d, b, Array.Empty<IReadOnlyList<Tensor?>>(), Array.Empty<double>(), Array.Empty<double>())))
        {
            Assert.Equal(SolvePath.Unconstrained, free.Path);
            Assert.Equal(new double[] { 1, -1 }, free.Direction[0].data<double>().ToArray());
        }
        // (D + ρJJᵀ)δ = Dδ_b − fJ with D = diag(2,4), J = (1,1), ρ = 1, f = 3: δ solves [[3,1],[1,5]]δ = (2−3, −4−3) = (−1, −7), so δ = (1/7, −10/7).
        var j = new IReadOnlyList<Tensor?>[] { new Tensor?[] { tensor(new double[] { 1, 1 }) } };
        using var sm = LowRankSolve.Solve(new LowRankProblem(d, b, j, new[] { 1.0 }, new[] { 3.0 }));
        Assert.Equal(SolvePath.ShermanMorrison, sm.Path);
        var delta = sm.Direction[0].data<double>().ToArray();
        Assert.Equal(1.0 / 7, delta[0], 8);
        Assert.Equal(-10.0 / 7, delta[1], 8);
    }

    [Fact]
    public void WoodburyDisabledUsesSequentialShermanMorrison()
    {
        using var scope = NewDisposeScope();
        var spec = new ProblemSpec(3, new[] { 20, 30 }, 5, 0, 1, 2, false);
        using var solution = LowRankSolve.Solve(spec.Build(), new LowRankSolveOptions(UseWoodbury: false));
        Assert.Equal(SolvePath.SequentialShermanMorrison, solution.Path);
        Assert.False(solution.FellBack);
    }

    [Fact]
    public void ShapeMismatchNamesTheConstraint()
    {
        using var scope = NewDisposeScope();
        var d = new[] { ones(3, ScalarType.Float64) };
        var jac = new IReadOnlyList<Tensor?>[] { new Tensor?[] { ones(4, ScalarType.Float64) } };
        var e = Assert.Throws<ArgumentException>(() => new LowRankProblem(d, d, jac, new[] { 1.0 }, new[] { 0.0 }, new[] { "retain_task_0" }));
        Assert.Contains("retain_task_0", e.Message);
        Assert.Contains("[4]", e.Message);
    }
}
