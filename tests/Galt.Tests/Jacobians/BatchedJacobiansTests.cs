using Galt.Constraints;
using Galt.Jacobians;
using Galt.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Jacobians;

/// <summary>Batched Jacobians (one forward, one backward for all constraints) against autograd per constraint.</summary>
public class BatchedJacobiansTests
{
    private static KlRetentionConstraint[] Constraints(nn.Module<Tensor, Tensor> model, int k, int inputWidth, int perConstraint = 4)
    {
        var g = new Generator(100 + (ulong)k);
        var result = new KlRetentionConstraint[k];
        for (int e = 0; e < k; e++)
            result[e] = new KlRetentionConstraint($"retain_{e}", model, randn(new long[] { perConstraint, inputWidth }, generator: g), temperature: 1.0 + 0.1 * (e % 3), margin: 0.01);
        return result;
    }

    /// <summary>Moves the parameters so the anchored KLs (zero at creation) have non-trivial gradients.</summary>
    private static void Perturb(nn.Module model)
    {
        using var noGrad = no_grad();
        var g = new Generator(77);
        foreach (var p in model.parameters()) p.add_(randn(p.shape, generator: g) * 0.1);
    }

    [Fact]
    public void ForbiddenMassAndKlRetentionTogetherMatchAutograd()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(15);
        var model = new Mlp(6, 9, 4);
        var g = new Generator(16);
        var forbidden = zeros(5, 4);
        forbidden[TensorIndex.Colon, 3] = 1;
        var constraints = new Constraint[]
        {
            new KlRetentionConstraint("retain", model, randn(new long[] { 4, 6 }, generator: g), margin: 0),
            new ForbiddenMassConstraint("forbid_3", model, randn(new long[] { 5, 6 }, generator: g), forbidden, margin: 0.5),
        };
        Perturb(model);
        AssertParity(model, constraints);
    }

    private static void AssertParity(nn.Module<Tensor, Tensor> model, Constraint[] constraints)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var batched = BatchedJacobians.Evaluate(constraints.Cast<IBatchedConstraint>().ToArray(), parameters);
        for (int e = 0; e < constraints.Length; e++)
        {
            using var reference = AutogradJacobians.Evaluate(constraints[e], parameters);
            // A tolerance, not decimal places: two float32 paths that agree to 1e-6 can round to different 5th decimals.
            Assert.Equal(reference.Value, batched[e].Value, 1e-5 * Math.Max(1, Math.Abs(reference.Value)));
            // Relative to each tensor's own gradient, with a floor at 1e-7 of the whole row: some gradients are exactly
            // zero in exact arithmetic (an attention key bias: softmax ignores a shift), and their float noise has no scale.
            double rowNorm = Math.Sqrt(reference.Jacobian.Where(j => j is not null).Sum(j => Math.Pow(j!.norm().item<float>(), 2)));
            for (int p = 0; p < parameters.Length; p++)
            {
                var expected = reference.Jacobian[p];
                var actual = batched[e].Jacobian[p];
                Assert.True((expected is null) == (actual is null), $"parameter {p} [{string.Join(",", parameters[p].shape)}]: autograd {(expected is null ? "none" : "some")}, batched {(actual is null ? "none" : "some")}");
                if (expected is null) continue;
                double error = (actual! - expected).norm().item<float>() / Math.Max(expected.norm().item<float>(), 1e-2 * rowNorm);
                Assert.True(error <= 1e-5, $"constraint {e}, parameter {p}: relative error {error:e2} (batched norm {actual!.norm().item<float>():e3}, autograd {expected.norm().item<float>():e3}, shapes [{string.Join(",", actual.shape)}] [{string.Join(",", expected.shape)}])");
            }
            batched[e].Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void LinearLayersAndBiasesMatchAutograd(int k)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var model = new Mlp(12, 16, 8, 5);
        var constraints = Constraints(model, k, 12);
        Perturb(model);
        AssertParity(model, constraints);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void LoraLayersWithFrozenBaseMatchAutograd(int k)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(6);
        var model = new LoraMlp(3, 12, 16, 8, 5);
        var constraints = Constraints(model, k, 12);
        Perturb(model);
        model.FreezeBase();
        AssertParity(model, constraints);
    }

    [Fact]
    public void LoraLayersWithTrainableBaseMatchAutograd()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var model = new LoraMlp(2, 6, 7, 3);
        var constraints = Constraints(model, 8, 6);
        Perturb(model);
        AssertParity(model, constraints);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WrappedLoraLayersWithTheirOwnScaleMatchAutograd(bool equalCounts)
    {
        // The carriers' adapters: existing layers wrapped with scale 16 (not 1/r); both Jacobian rules must apply it.
        using var scope = NewDisposeScope();
        random.manual_seed(12);
        var first = new LoraLinear(nn.Linear(6, 9), rank: 2, scale: 16, (r, i) => rand(r, i) * 0.4 - 0.2);
        var second = new LoraLinear(nn.Linear(9, 4), rank: 3, scale: 16, (r, i) => rand(r, i) * 0.4 - 0.2);
        var model = new BlockChain(new nn.Module<Tensor, Tensor>[] { first, nn.ReLU(), second });
        var g = new Generator(13);
        var constraints = equalCounts
            ? Constraints(model, 8, 6)
            : new[] { 3, 5, 2 }.Select((n, e) => new KlRetentionConstraint($"c{e}", model, randn(new long[] { n, 6 }, generator: g), margin: 0)).ToArray();
        Perturb(model);
        first.FreezeBase();
        second.FreezeBase();
        AssertParity(model, constraints);
    }

    [Fact]
    public void UnequalExampleCountsMatchAutograd()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(8);
        var model = new LoraMlp(3, 10, 12, 4);
        var g = new Generator(9);
        var constraints = new[] { 3, 5, 7, 1 }.Select((n, e) => new KlRetentionConstraint($"c{e}", model, randn(new long[] { n, 10 }, generator: g), margin: 0)).ToArray();
        Perturb(model);
        model.FreezeBase();
        AssertParity(model, constraints);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void TransformerWithEmbeddingsLayerNormAndAttentionMatchesAutograd(int k)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(10);
        var model = new TransformerClassifier(vocabulary: 11, maxLength: 5, modelWidth: 16, heads: 2, layers: 2, classes: 4);
        var g = new Generator(11);
        var constraints = Enumerable.Range(0, k).Select(e => new KlRetentionConstraint($"c{e}", model, randint(0, 11, new long[] { 3, 5 }, generator: g), margin: 0)).ToArray();
        Perturb(model);
        Assert.Null(BatchedJacobians.Unsupported(model));
        AssertParity(model, constraints);
    }

    private sealed class SmallCnn : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv = nn.Conv2d(2, 3, 3, stride: 1, padding: 1);
        private readonly Conv2d strided = nn.Conv2d(3, 4, 2, stride: 2);
        private readonly Linear head = nn.Linear(4 * 3 * 3, 5);

        public SmallCnn() : base(nameof(SmallCnn)) => RegisterComponents();

        public override Tensor forward(Tensor x) => head.call(nn.functional.relu(strided.call(nn.functional.relu(conv.call(x)))).flatten(1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void Conv2dLayersMatchAutograd(int k)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(12);
        var model = new SmallCnn();
        var g = new Generator(13);
        var constraints = Enumerable.Range(0, k).Select(e => new KlRetentionConstraint($"c{e}", model, randn(new long[] { 2, 2, 6, 6 }, generator: g), margin: 0)).ToArray();
        Perturb(model);
        Assert.Null(BatchedJacobians.Unsupported(model));
        AssertParity(model, constraints);
    }

    private sealed class WithRmsNorm : nn.Module<Tensor, Tensor>
    {
        private readonly Linear first = nn.Linear(6, 8);
        private readonly RmsNorm norm = new(8);
        private readonly Linear head = nn.Linear(8, 3);

        public WithRmsNorm() : base(nameof(WithRmsNorm)) => RegisterComponents();

        public override Tensor forward(Tensor x) => head.call(norm.call(first.call(x)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void RmsNormScaleMatchesAutograd(int k)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(14);
        var model = new WithRmsNorm();
        var constraints = Constraints(model, k, 6);
        Perturb(model);
        AssertParity(model, constraints);
    }

    private sealed class WithBatchNorm : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc = nn.Linear(4, 4);
        private readonly BatchNorm1d bn = nn.BatchNorm1d(4);

        public WithBatchNorm() : base(nameof(WithBatchNorm)) => RegisterComponents();

        public override Tensor forward(Tensor x) => bn.call(fc.call(x));
    }

    [Fact]
    public void BatchNormInTrainingModeAndSequentialFallBack()
    {
        using var scope = NewDisposeScope();
        var model = new WithBatchNorm();
        model.train();
        Assert.Contains("training mode couples the examples", BatchedJacobians.Unsupported(model));
        Assert.Contains("Sequential", BatchedJacobians.Unsupported(nn.Sequential(("fc", nn.Linear(4, 4)))));
    }

    private sealed class WithPrelu : nn.Module<Tensor, Tensor>
    {
        private readonly Linear first = nn.Linear(4, 4);
        private readonly PReLU act = nn.PReLU(1);

        public WithPrelu() : base(nameof(WithPrelu)) => RegisterComponents();

        public override Tensor forward(Tensor x) => act.call(first.call(x));
    }

    [Fact]
    public void UnsupportedModuleFallsBackWithOneWarningNamingIt()
    {
        using var scope = NewDisposeScope();
        var model = new WithPrelu();
        Assert.Contains("PReLU 'act'", BatchedJacobians.Unsupported(model));
        var warnings = new List<string>();
        Assert.True(BatchedJacobians.MustFallBack(model, warnings.Add));
        Assert.True(BatchedJacobians.MustFallBack(model, warnings.Add));
        Assert.Single(warnings);
        Assert.Contains("using autograd per constraint", warnings[0]);
        Assert.Contains("PReLU", warnings[0]);
        Assert.Null(BatchedJacobians.Unsupported(new Mlp(3, 2)));
    }
}
