using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// The same systems as <see cref="LowRankSolve"/>, assembled as dense d×d float64 matrices and solved directly:
/// the reference the low-rank algebra is tested against. O(d³): for tests only.
/// </summary>
internal static class DenseReferenceSolve
{
    /// <summary>Solves the global (or, for <see cref="SolveScope.PerTensor"/>, block-diagonal) system densely.</summary>
    public static Tensor[] Solve(LowRankProblem problem, SolveScope scope = SolveScope.Global)
    {
        using var noGrad = no_grad();
        using var disposeScope = NewDisposeScope();
        Tensor[] result;
        if (scope == SolveScope.Global)
        {
            var all = Enumerable.Range(0, problem.TensorCount).ToArray();
            result = Split(SolveDense(problem, all), problem, all);
        }
        else
        {
            result = new Tensor[problem.TensorCount];
            for (int p = 0; p < problem.TensorCount; p++)
                result[p] = Split(SolveDense(problem, new[] { p }), problem, new[] { p })[0];
        }
        foreach (var t in result) t.MoveToOuterDisposeScope();
        return result;
    }

    private static Tensor SolveDense(LowRankProblem problem, int[] tensors)
    {
        Tensor Flat(Func<int, Tensor?> pick) => cat(tensors.Select(p => (pick(p) ?? zeros_like(problem.Metric[p])).detach().reshape(-1).to(ScalarType.Float64).cpu()).ToArray());
        var d = Flat(p => problem.Metric[p]);
        var m = diag(d);
        var rhs = d * Flat(p => problem.BaseDirection[p]);
        for (int i = 0; i < problem.ConstraintCount; i++)
        {
            int i1 = i;
            var j = Flat(p => problem.Jacobians[i1][p]);
            m = m.Plus(outer(j, j).Times(problem.Stiffness[i]));
            rhs = rhs - j.Times(problem.Force[i]);
        }
        return linalg.solve(m, rhs);
    }

    private static Tensor[] Split(Tensor flat, LowRankProblem problem, int[] tensors)
    {
        var result = new Tensor[tensors.Length];
        long offset = 0;
        for (int x = 0; x < tensors.Length; x++)
        {
            var like = problem.Metric[tensors[x]];
            long n = like.numel();
            result[x] = flat[TensorIndex.Slice(offset, offset + n)].reshape(like.shape).clone();
            offset += n;
        }
        return result;
    }
}
