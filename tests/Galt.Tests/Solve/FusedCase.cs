using CsCheck;
using Galt.Optim;
using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

/// <summary>
/// A random fused-step case: float32 parameters split into 1–4 tensors of uneven sizes (so tensors end mid-vector),
/// Adam state after 0–2 earlier steps, some coordinates whose gradient is always zero (so the metric floor bites),
/// k ∈ [0, 16] constraint rows with some tensors untouched, either scope, floor and anchor pull on or off, and
/// sometimes a tensor without a gradient this step.
/// </summary>
internal sealed record FusedCase(int K, int[] Sizes, long Seed, double NullFraction, double RhoMin, double RhoMax, bool DuplicateRows,
    int PriorSteps, SolveScope Scope, double FloorRatio, double RhoAnchor, bool SkipFirstTensor)
{
    public static Gen<FusedCase> Gen(int maxD = 700, bool duplicates = false) =>
        from k in CsCheck.Gen.Int[0, 16]
        from d in CsCheck.Gen.Int[Math.Max(k, 1), maxD]
        from parts in CsCheck.Gen.Int[1, Math.Min(4, d)]
        from seed in CsCheck.Gen.Long
        from nulls in CsCheck.Gen.Double[0, 0.3]
        from logRhoMin in CsCheck.Gen.Double[-2, duplicates ? 6 : 1]
        from span in CsCheck.Gen.Double[0, 2]
        from prior in CsCheck.Gen.Int[0, 2]
        from perTensor in CsCheck.Gen.Bool
        from floor in CsCheck.Gen.Int[0, 2]
        from pull in CsCheck.Gen.Bool
        from skip in CsCheck.Gen.Int[0, 5]
        select new FusedCase(k, Split(d, parts, seed), seed, nulls, Math.Pow(10, logRhoMin), Math.Pow(10, logRhoMin + span), duplicates, prior,
            perTensor ? SolveScope.PerTensor : SolveScope.Global, new[] { 0, 0.1, 0.5 }[floor], pull ? 0.1 : 0, parts > 1 && skip == 0);

    private static int[] Split(int d, int parts, long seed)
    {
        var rng = new Random((int)(seed % int.MaxValue));
        var cuts = Enumerable.Range(0, parts - 1).Select(_ => rng.Next(1, d)).Distinct().OrderBy(c => c).Append(d).ToArray();
        return cuts.Select((c, i) => c - (i == 0 ? 0 : cuts[i - 1])).ToArray();
    }

    public LowRankSolveOptions Options => new(Scope);

    /// <summary>The tensors of the case (in the current dispose scope) and two metrics already advanced by the prior steps.</summary>
    public Built Build()
    {
        var rng = new Random((int)(Seed % int.MaxValue));
        var generator = new Generator((ulong)Seed);
        Tensor Normal(int n) => randn(new long[] { n }, generator: generator);
        var theta = Sizes.Select(n => Normal(n) * 0.5f).ToArray();
        var anchors = theta.Select(t => t + 0.1f * Normal((int)t.numel())).ToArray();
        // Coordinates whose task gradient is always zero: D = ε there, which the floor exists for.
        var live = Sizes.Select(n => (rand(new long[] { n }, generator: generator) > 0.2f).to(ScalarType.Float32)).ToArray();
        Tensor?[] Gradients() => Sizes.Select((n, u) => (Tensor?)(Normal(n) * live[u])).ToArray();
        var fused = new AdamMetric(Sizes.Length);
        var reference = new AdamMetric(Sizes.Length);
        for (int s = 0; s < PriorSteps; s++)
        {
            var g = Gradients();
            fused.Commit(fused.Propose(g));
            reference.Commit(reference.Propose(g));
        }
        var gradients = Gradients();
        if (SkipFirstTensor) gradients[0] = null;
        var jacobians = new List<Tensor?[]>();
        for (int i = 0; i < K; i++)
        {
            var row = new Tensor?[Sizes.Length];
            for (int u = 0; u < Sizes.Length; u++)
            {
                if (rng.NextDouble() < NullFraction) continue;
                // Near-duplicate rows make S ill-conditioned, to exercise the fallback.
                row[u] = DuplicateRows && i > 0 && jacobians[0][u] is { } first ? first + (float)(1e-3 * rng.NextDouble()) * Normal(Sizes[u]) : Normal(Sizes[u]);
            }
            jacobians.Add(row);
        }
        var rho = Enumerable.Range(0, K).Select(_ => RhoMin + (RhoMax - RhoMin) * rng.NextDouble()).ToArray();
        var force = Enumerable.Range(0, K).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var otherForce = force.Select(f => f + rng.NextDouble() * 2 - 1).ToArray();
        return new Built(this, theta, anchors, gradients, jacobians.ToArray(), rho, force, otherForce, fused, reference);
    }
}

/// <summary>The tensors of a <see cref="FusedCase"/>.</summary>
internal sealed record Built(FusedCase Case, Tensor[] Theta, Tensor[] Anchors, Tensor?[] Gradients, Tensor?[][] Jacobians, double[] Rho, double[] Force,
    double[] OtherForce, AdamMetric FusedMetric, AdamMetric ReferenceMetric) : IDisposable
{
    public int[] Updated => Enumerable.Range(0, Theta.Length).Where(p => Gradients[p] is not null).ToArray();

    public string[] Names => Enumerable.Range(0, Jacobians.Length).Select(i => $"c{i}").ToArray();

    /// <summary>The fused step's input over the updated tensors.</summary>
    public FusedStepInput Input(int[] updated) => new(updated, updated.Select(p => Theta[p]).ToArray(), updated.Select(p => $"p{p}").ToArray(),
        updated.Select(p => Gradients[p]!).ToArray(), Case.RhoAnchor != 0 ? updated.Select(p => Anchors[p]).ToArray() : null, Case.RhoAnchor,
        Jacobians.Select(row => (IReadOnlyList<Tensor?>)updated.Select(p => row[p]).ToArray()).ToArray(), Rho, Force, Names, Case.Options, Case.FloorRatio);

    /// <summary>
    /// The tensor path's problem on the fused pass's own moments, as PrimalStep hands a step over: D and δ_b by
    /// <see cref="AdamMetric.FormMetric"/>, the pull and the floor by tensor ops in float32, then all of it in float64 so
    /// that <see cref="LowRankSolve"/> is exact to rounding.
    /// </summary>
    public LowRankProblem Reference(AdamProposal proposal, int[] updated, double[] force)
    {
        var d = new Tensor[updated.Length];
        var b = new Tensor[updated.Length];
        for (int u = 0; u < updated.Length; u++)
        {
            int p = updated[u];
            FusedMetric.FormMetric(proposal, p);
            var metric = proposal.Metric(p).clone();
            var baseDirection = proposal.BaseDirection(p).clone();
            if (Case.RhoAnchor != 0) baseDirection.add_(Anchors[p], alpha: Case.RhoAnchor).add_(Theta[p], alpha: -Case.RhoAnchor);
            if (Case.FloorRatio > 0 && Case.K > 0) PrimalStep.FloorMetric(metric, Case.FloorRatio);
            d[u] = metric.to(ScalarType.Float64);
            b[u] = baseDirection.to(ScalarType.Float64);
        }
        var jacobians = Jacobians.Select(row => (IReadOnlyList<Tensor?>)updated.Select(p => row[p]?.to(ScalarType.Float64)).ToArray()).ToArray();
        return new LowRankProblem(d, b, jacobians, Rho, force, Names);
    }

    public void Dispose()
    {
        FusedMetric.Dispose();
        ReferenceMetric.Dispose();
    }
}
