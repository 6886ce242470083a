using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

public class SensitivityTests
{
    /// <summary>⟨J_i, δ⟩ at forces f + e_j minus at f, by a second solve: −M_ij exactly (the solve is affine in f).</summary>
    private static double[,] FiniteDifference(LowRankProblem problem, LowRankSolveOptions options, double[] baseDots)
    {
        int k = problem.ConstraintCount;
        var m = new double[k, k];
        for (int j = 0; j < k; j++)
        {
            var force = problem.Force.ToArray();
            force[j] += 1;
            var shifted = new LowRankProblem(problem.Metric, problem.BaseDirection, problem.Jacobians, problem.Stiffness, force, problem.Names);
            using var solution = LowRankSolve.Solve(shifted, options);
            for (int i = 0; i < k; i++) m[i, j] = baseDots[i] - solution.JacobianDotDirection[i];
        }
        return m;
    }

    [Theory]
    [InlineData(SolveScope.Global)]
    [InlineData(SolveScope.PerTensor)]
    public void SensitivityEqualsTheChangeOfJacobianDotDirectionPerUnitForce(SolveScope scope)
    {
        var options = new LowRankSolveOptions(Scope: scope);
        int checkedWoodbury = 0;
        SeededProperty.ForAll(ProblemSpec.Gen(maxK: 6, maxD: 200), cases: 40, seed: 17, spec =>
        {
            using var dispose = NewDisposeScope();
            var problem = spec.Build();
            using var solution = LowRankSolve.Solve(problem, options);
            if (solution.FellBack) return;
            var expected = FiniteDifference(problem, options, solution.JacobianDotDirection);
            double scale = 0;
            foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
            for (int i = 0; i < problem.ConstraintCount; i++)
                for (int j = 0; j < problem.ConstraintCount; j++)
                    Assert.True(Math.Abs(solution.Sensitivity[i, j] - expected[i, j]) <= 1e-8 * Math.Max(1, scale),
                        $"k={spec.K} {scope} path={solution.Path}: M[{i},{j}] = {solution.Sensitivity[i, j]} vs {expected[i, j]} by a second solve");
            if (solution.Path == SolvePath.Woodbury) checkedWoodbury++;
        });
        Assert.True(checkedWoodbury > 10, $"only {checkedWoodbury} Woodbury cases were checked");
    }

    [Fact]
    public void AConstraintWithoutJacobianHasZeroSensitivity()
    {
        using var dispose = NewDisposeScope();
        var metric = new[] { ones(5, ScalarType.Float64) };
        var baseDirection = new[] { ones(5, ScalarType.Float64) };
        var jacobians = new IReadOnlyList<Tensor?>[] { new Tensor?[] { arange(5, ScalarType.Float64) }, new Tensor?[] { null } };
        var problem = new LowRankProblem(metric, baseDirection, jacobians, new[] { 2.0, 2.0 }, new[] { 0.5, 0.5 });
        using var solution = LowRankSolve.Solve(problem);
        // One active constraint: M = a / (1 + ρa) with a = Σ j² = 30.
        Assert.Equal(30.0 / 61.0, solution.Sensitivity[0, 0], 12);
        Assert.Equal(0.0, solution.Sensitivity[1, 1]);
        Assert.Equal(0.0, solution.Sensitivity[0, 1]);
    }
}
