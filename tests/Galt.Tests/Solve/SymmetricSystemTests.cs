using CsCheck;
using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

public class SymmetricSystemTests
{
    [Fact]
    public void ConditionAndSolveAgreeWithLibtorch()
    {
        var gen = from k in Gen.Int[1, 16] from seed in Gen.Long select (k, seed);
        SeededProperty.ForAll(gen, cases: 100, seed: 11, c =>
        {
            using var scope = NewDisposeScope();
            var g = new Generator((ulong)c.seed);
            var m = randn(new long[] { c.k, c.k }, ScalarType.Float64, generator: g);
            var s = m.matmul(m.t()) + 0.01 * eye(c.k, dtype: ScalarType.Float64);
            var r = randn(new long[] { c.k }, ScalarType.Float64, generator: g);
            var host = new double[c.k, c.k];
            var flat = s.data<double>().ToArray();
            for (int i = 0; i < c.k; i++) for (int j = 0; j < c.k; j++) host[i, j] = flat[i * c.k + j];

            double cond = linalg.cond(s).item<double>();
            Assert.Equal(cond, SymmetricSystem.ConditionNumber(host), cond * 1e-8);
            var x = SymmetricSystem.Solve(host, r.data<double>().ToArray());
            var expected = linalg.solve(s, r).data<double>().ToArray();
            for (int i = 0; i < c.k; i++) Assert.Equal(expected[i], x[i], Math.Max(1e-9, Math.Abs(expected[i]) * 1e-7));
        });
    }

    [Fact]
    public void SingularMatrixHasInfiniteCondition()
    {
        Assert.Equal(double.PositiveInfinity, SymmetricSystem.ConditionNumber(new double[,] { { 1, 1 }, { 1, 1 } }));
        Assert.Throws<ArithmeticException>(() => SymmetricSystem.Solve(new double[,] { { 0, 0 }, { 0, 0 } }, new double[] { 1, 1 }));
    }
}
