using CsCheck;
using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

/// <summary>Random float64 local-solve problems: D &gt; 0, k constraints over d parameters split into 1–4 tensors.</summary>
internal sealed record ProblemSpec(int K, int[] TensorSizes, long TensorSeed, double NullFraction, double RhoMin, double RhoMax, bool DuplicateRows)
{
    public static Gen<ProblemSpec> Gen(int maxK = 16, int maxD = 600, bool duplicates = false) =>
        from k in CsCheck.Gen.Int[1, maxK]
        from d in CsCheck.Gen.Int[k, maxD]
        from parts in CsCheck.Gen.Int[1, Math.Min(4, d)]
        from seed in CsCheck.Gen.Long
        from nulls in CsCheck.Gen.Double[0, 0.3]
        from logRhoMin in CsCheck.Gen.Double[-2, duplicates ? 6 : 1]
        from span in CsCheck.Gen.Double[0, 2]
        select new ProblemSpec(k, Split(d, parts), seed, nulls, Math.Pow(10, logRhoMin), Math.Pow(10, logRhoMin + span), duplicates);

    private static int[] Split(int d, int parts)
    {
        var sizes = Enumerable.Repeat(d / parts, parts).ToArray();
        sizes[^1] += d - sizes.Sum();
        return sizes;
    }

    public int D => TensorSizes.Sum();

    /// <summary>Builds the tensors (in the current dispose scope).</summary>
    public LowRankProblem Build()
    {
        var rng = new Random((int)(TensorSeed % int.MaxValue));
        var g = new Generator((ulong)TensorSeed);
        Tensor Normal(long n) => randn(new[] { n }, ScalarType.Float64, generator: g);
        var metric = TensorSizes.Select(n => rand(new long[] { n }, ScalarType.Float64, generator: g) * 4.5 + 0.5).ToArray();
        var baseDirection = TensorSizes.Select(n => Normal(n)).ToArray();
        var jac = new List<IReadOnlyList<Tensor?>>();
        for (int i = 0; i < K; i++)
        {
            var row = new Tensor?[TensorSizes.Length];
            for (int p = 0; p < TensorSizes.Length; p++)
            {
                if (rng.NextDouble() < NullFraction) continue;
                // Near-duplicate rows make S ill-conditioned, to exercise the fallback.
                row[p] = DuplicateRows && i > 0 && jac[0][p] is { } first ? first + 1e-4 * rng.NextDouble() * Normal(TensorSizes[p]) : Normal(TensorSizes[p]);
            }
            jac.Add(row);
        }
        var rho = Enumerable.Range(0, K).Select(_ => RhoMin + (RhoMax - RhoMin) * rng.NextDouble()).ToArray();
        var force = Enumerable.Range(0, K).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        return new LowRankProblem(metric, baseDirection, jac, rho, force);
    }
}
