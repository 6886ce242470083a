using System.Runtime.Intrinsics;
using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

/// <summary>
/// The fused CPU step against its references: its Adam moments against <see cref="AdamMetric"/>'s tensor
/// ops, and its solve (direction, path, cond₂, ⟨J, δ⟩, sensitivity, a re-solve with other forces) against
/// <see cref="LowRankSolve"/> in float64 on the same moments, to 1e-6 relative.
/// </summary>
public class FusedLocalStepTests
{
    private const double Tolerance = 1e-6;

    private static double RelativeError(IReadOnlyList<Tensor> actual, IReadOnlyList<Tensor> expected)
    {
        using var scope = NewDisposeScope();
        var a = cat(actual.Select(t => t.reshape(-1).to(ScalarType.Float64)).ToArray());
        var e = cat(expected.Select(t => t.reshape(-1).to(ScalarType.Float64)).ToArray());
        return (a - e).norm().item<double>() / Math.Max(1e-300, e.norm().item<double>());
    }

    private static Tensor[] Directions(FusedLocalStep step, FusedStepInput input) =>
        input.Parameters.Select((t, u) =>
        {
            var into = empty_like(t);
            step.Direction(u, into);
            return into;
        }).ToArray();

    /// <summary>Checks one case (<paramref name="narrow"/>: on 256-bit lanes even where 512-bit ones are accelerated); returns the path the reference took.</summary>
    private static SolvePath Check(FusedCase spec, bool narrow = false)
    {
        using var scope = NewDisposeScope();
        using var built = spec.Build();
        var updated = built.Updated;
        var input = built.Input(updated) with { NarrowLanes = narrow };
        var proposal = built.FusedMetric.Reserve(built.Gradients);
        Assert.True(FusedLocalStep.Covers(proposal, input), "the fused path refused float32 CPU tensors");
        using var step = FusedLocalStep.Propose(built.FusedMetric, proposal, input);
        if (updated.Length > 0) Assert.Equal(!narrow && Vector512.IsHardwareAccelerated, step.WideLanes);

        // Moments: the same float32 formulas as the tensor path (at most an FMA's rounding apart).
        var expected = built.ReferenceMetric.Propose(built.Gradients);
        foreach (int p in updated)
        {
            Assert.True(RelativeError(new[] { proposal.NextFirstMoment(p) }, new[] { expected.NextFirstMoment(p) }) <= Tolerance, $"m′ of tensor {p}");
            Assert.True(RelativeError(new[] { proposal.NextSecondMoment(p) }, new[] { expected.NextSecondMoment(p) }) <= Tolerance, $"v′ of tensor {p}");
        }

        var problem = built.Reference(proposal, updated, built.Force);
        using var reference = LowRankSolve.Solve(problem, spec.Options);
        string label = $"k={spec.K} sizes=[{string.Join(",", spec.Sizes)}] {spec.Scope} floor={spec.FloorRatio} ρa={spec.RhoAnchor} prior={spec.PriorSteps} path={reference.Path}";
        double cond = reference.ConditionNumber;
        if (Math.Abs(cond / spec.Options.ConditionLimit - 1) < 1e-6) return reference.Path; // too close to call in floating point
        Assert.Equal(reference.Path, step.Path);
        if (double.IsNaN(cond)) Assert.True(double.IsNaN(step.ConditionNumber), label);
        // cond₂ of a nearly singular S is itself known only to about cond₂·1e-16 of its value.
        else Assert.Equal(cond, step.ConditionNumber, cond * (Tolerance + 1e-15 * cond));
        AssertSensitivity(problem, reference.Sensitivity, step.Sensitivity, double.IsNaN(cond) ? 1 : cond, label);
        if (reference.Path == SolvePath.SequentialShermanMorrison)
        {
            // The fused step hands these to the tensor path (PrimalStep); it must say so and do nothing else.
            Assert.False(step.Solved, label);
            return reference.Path;
        }
        Assert.True(step.Solved, label);
        var directions = Directions(step, input);
        double error = RelativeError(directions, reference.Direction);
        Assert.True(error <= Tolerance, $"{label}: direction relative error {error:e2}");
        AssertDots(problem, reference, step.JacobianDotDirection, label);

        // Only the k×k systems change with the forces.
        step.Resolve(built.OtherForce);
        using var resolved = LowRankSolve.Solve(built.Reference(proposal, updated, built.OtherForce), spec.Options);
        error = RelativeError(Directions(step, input), resolved.Direction);
        Assert.True(error <= Tolerance, $"{label}: re-solved direction relative error {error:e2}");
        return reference.Path;
    }

    /// <summary>
    /// M to 1e-6 of its largest entry, plus what float64 can hold of it: M = G − G S⁻¹ G cancels terms of size max G_ii
    /// (huge where a constraint touches coordinates with D = ε and no floor), and S⁻¹ amplifies rounding by cond₂(S).
    /// </summary>
    private static void AssertSensitivity(LowRankProblem problem, double[,] expected, double[,] actual, double cond, string label)
    {
        double scale = 0, gram = 0;
        foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < problem.ConstraintCount; i++)
            gram = Math.Max(gram, Enumerable.Range(0, problem.TensorCount)
                .Sum(p => problem.Jacobians[i][p] is { } j ? (j * j / problem.Metric[p]).sum().item<double>() : 0));
        double bound = Tolerance * scale + 1e-14 * Math.Max(1, cond) * gram;
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= bound, $"{label}: M[{i},{j}] = {actual[i, j]} vs {expected[i, j]}");
    }

    /// <summary>⟨J_i, δ⟩ to 1e-6 of Σ_p ‖J_i,p‖‖δ_p‖, the size of the terms that cancel in it.</summary>
    private static void AssertDots(LowRankProblem problem, LowRankSolution reference, double[] actual, string label)
    {
        for (int i = 0; i < problem.ConstraintCount; i++)
        {
            double scale = 0;
            for (int p = 0; p < problem.TensorCount; p++)
                if (problem.Jacobians[i][p] is { } j) scale += j.norm().item<double>() * reference.Direction[p].norm().item<double>();
            Assert.True(Math.Abs(reference.JacobianDotDirection[i] - actual[i]) <= Tolerance * scale + 1e-12,
                $"{label}: ⟨J_{i}, δ⟩ = {actual[i]} vs {reference.JacobianDotDirection[i]}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FusedStepEqualsLowRankSolveOnRandomShapes(bool narrow)
    {
        var paths = new Dictionary<SolvePath, int>();
        SeededProperty.ForAll(FusedCase.Gen(), cases: 150, seed: 2020, spec =>
        {
            var path = Check(spec, narrow);
            paths[path] = paths.GetValueOrDefault(path) + 1;
        });
        Assert.True(paths.GetValueOrDefault(SolvePath.Unconstrained) > 3 && paths.GetValueOrDefault(SolvePath.ShermanMorrison) > 3
            && paths.GetValueOrDefault(SolvePath.Woodbury) > 50, $"paths exercised: {string.Join(", ", paths.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }

    [Fact]
    public void FusedStepAgreesOnTheConditioningFallback()
    {
        int fellBack = 0, solved = 0;
        SeededProperty.ForAll(FusedCase.Gen(maxD: 300, duplicates: true), cases: 100, seed: 99, spec =>
        {
            if (Check(spec) == SolvePath.SequentialShermanMorrison) fellBack++; else solved++;
        });
        Assert.True(fellBack > 10 && solved > 10, $"the fallback fired {fellBack} times and did not {solved} times");
    }

    [Theory]
    [InlineData(SolveScope.Global, false)]
    [InlineData(SolveScope.PerTensor, false)]
    [InlineData(SolveScope.Global, true)]
    public void ManyChunksAcrossThreadsEqualLowRankSolveAndRepeatBitForBit(SolveScope scope, bool narrow)
    {
        // Tensors of several chunks each (and ragged ends), so the sweeps run in parallel and reduce across chunks.
        var spec = new FusedCase(6, new[] { 3 * FusedLocalStep.ChunkLength + 5, FusedLocalStep.ChunkLength - 3, 41 }, Seed: 41, NullFraction: 0.2,
            RhoMin: 0.5, RhoMax: 5, DuplicateRows: false, PriorSteps: 1, scope, FloorRatio: 0.1, RhoAnchor: 0.1, SkipFirstTensor: false);
        Assert.Equal(SolvePath.Woodbury, Check(spec, narrow));

        using var dispose = NewDisposeScope();
        float[][] Run()
        {
            using var built = spec.Build();
            var input = built.Input(built.Updated) with { NarrowLanes = narrow };
            using var step = FusedLocalStep.Propose(built.FusedMetric, built.FusedMetric.Reserve(built.Gradients), input);
            return Directions(step, input).Select(t => t.data<float>().ToArray()).ToArray();
        }
        var first = Run();
        var second = Run();
        for (int u = 0; u < first.Length; u++) Assert.True(first[u].AsSpan().SequenceEqual(second[u]), $"tensor {u} differs between two runs");
    }

    [Fact]
    public void CommitWritesTheDirectionAndMakesTheMomentsCurrent()
    {
        using var scope = NewDisposeScope();
        var spec = new FusedCase(3, new[] { 37, 20 }, Seed: 5, NullFraction: 0, RhoMin: 1, RhoMax: 2, DuplicateRows: false, PriorSteps: 1,
            SolveScope.Global, FloorRatio: 0.1, RhoAnchor: 0.1, SkipFirstTensor: false);
        using var built = spec.Build();
        var input = built.Input(built.Updated);
        var proposal = built.FusedMetric.Reserve(built.Gradients);
        using var step = FusedLocalStep.Propose(built.FusedMetric, proposal, input);
        var before = built.Theta.Select(t => t.clone()).ToArray();
        var directions = Directions(step, input);
        var nextM = proposal.NextFirstMoment(0);
        const double lr = 0.1, wd = 0.01;
        step.Write(lr, wd);
        step.CommitMoments();
        for (int p = 0; p < before.Length; p++)
        {
            var expected = before[p] * (float)(1 - lr * wd) + directions[p] * (float)lr;
            Assert.True((built.Theta[p] - expected).abs().max().item<float>() <= 1e-6f, $"θ of tensor {p}");
            Assert.Equal(2, built.FusedMetric.StepCount(p));
        }
        Assert.Same(nextM, built.FusedMetric.FirstMoment(0));
    }

    [Fact]
    public void NonContiguousRowsAndGradientsAreCopiedAndOtherTensorsAreNotCovered()
    {
        using var scope = NewDisposeScope();
        var theta = randn(6, 4);
        var gradient = randn(4, 6).t();
        var row = randn(4, 6).t();
        using var metric = new AdamMetric(1);
        var proposal = metric.Reserve(new[] { gradient });
        FusedStepInput Input(Tensor parameter, Tensor j) => new(new[] { 0 }, new[] { parameter }, new[] { "w" }, new[] { gradient }, null, 0,
            new IReadOnlyList<Tensor?>[] { new Tensor?[] { j } }, new[] { 1.0 }, new[] { 0.5 }, new[] { "c" }, LowRankSolveOptions.Default, 0.1);
        Assert.True(FusedLocalStep.Covers(proposal, Input(theta, row)));
        Assert.False(FusedLocalStep.Covers(proposal, Input(randn(4, 6).t(), row)), "a non-contiguous parameter cannot be written in place");
        Assert.False(FusedLocalStep.Covers(proposal, Input(theta, row.to(ScalarType.Float64))), "a float64 row");

        using var strided = FusedLocalStep.Propose(metric, proposal, Input(theta, row));
        var a = empty_like(theta);
        strided.Direction(0, a);
        using var other = new AdamMetric(1);
        var contiguousGradient = gradient.contiguous();
        var otherProposal = other.Reserve(new[] { contiguousGradient });
        using var packed = FusedLocalStep.Propose(other, otherProposal, Input(theta, row.contiguous()) with { Gradients = new[] { contiguousGradient } });
        var b = empty_like(theta);
        packed.Direction(0, b);
        Assert.True(a.data<float>().ToArray().AsSpan().SequenceEqual(b.data<float>().ToArray()));
    }

    [Fact]
    public void ANonFiniteGradientOrRowIsRefusedBeforeAnythingIsWritten()
    {
        using var scope = NewDisposeScope();
        var spec = new FusedCase(2, new[] { 19, 30 }, Seed: 8, NullFraction: 0, RhoMin: 1, RhoMax: 2, DuplicateRows: false, PriorSteps: 1,
            SolveScope.Global, FloorRatio: 0.1, RhoAnchor: 0.1, SkipFirstTensor: false);
        using var built = spec.Build();
        var m = built.FusedMetric.FirstMoment(1)!.clone();
        built.Gradients[1]![7] = float.NaN;
        var e = Assert.Throws<NonFiniteValueException>(() => FusedLocalStep.Propose(built.FusedMetric, built.FusedMetric.Reserve(built.Gradients), built.Input(built.Updated)));
        Assert.Equal("p1", e.Source);
        Assert.True(built.FusedMetric.FirstMoment(1)!.data<float>().ToArray().AsSpan().SequenceEqual(m.data<float>().ToArray()), "the current moments changed");

        built.Gradients[1]![7] = 0;
        built.Jacobians[1][0]![3] = float.PositiveInfinity;
        e = Assert.Throws<NonFiniteValueException>(() => FusedLocalStep.Propose(built.FusedMetric, built.FusedMetric.Reserve(built.Gradients), built.Input(built.Updated)));
        Assert.Equal("c1", e.Source);
    }

    [Fact]
    public void AResolveRefusesANonFiniteOrMissingForceAndKeepsItsSolution()
    {
        using var scope = NewDisposeScope();
        var spec = new FusedCase(2, new[] { 19, 30 }, Seed: 9, NullFraction: 0, RhoMin: 1, RhoMax: 2, DuplicateRows: false, PriorSteps: 1,
            SolveScope.Global, FloorRatio: 0.1, RhoAnchor: 0.1, SkipFirstTensor: false);
        using var built = spec.Build();
        var input = built.Input(built.Updated);
        using var step = FusedLocalStep.Propose(built.FusedMetric, built.FusedMetric.Reserve(built.Gradients), input);
        var before = step.JacobianDotDirection.ToArray();
        var e = Assert.Throws<ArgumentException>(() => step.Resolve(new[] { 1.0, double.NaN }));
        Assert.Contains("c1", e.Message);
        e = Assert.Throws<ArgumentException>(() => step.Resolve(new[] { 1.0 }));
        Assert.Contains("1 forces for 2 constraints", e.Message);
        Assert.Equal(before, step.JacobianDotDirection);
    }
}
