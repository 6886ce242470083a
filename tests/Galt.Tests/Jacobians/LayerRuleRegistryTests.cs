using Galt.Constraints;
using Galt.Jacobians;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Jacobians;

/// <summary>A user-registered rule makes the batched path serve a custom layer, with rows equal to autograd's.</summary>
public class LayerRuleRegistryTests
{
    /// <summary>y = a ⊙ s, a learned per-feature scale.</summary>
    private sealed class FeatureScale : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter scale;

        public FeatureScale(int width) : base(nameof(FeatureScale))
        {
            scale = new Parameter(linspace(0.5, 1.5, width));
            RegisterComponents();
        }

        public Parameter Scale => scale;

        public override Tensor forward(Tensor input) => input * scale;
    }

    /// <summary>J_s = Σ g ⊙ a over examples.</summary>
    private sealed class FeatureScaleRule : ILayerJacobianRule
    {
        public Type LayerType => typeof(FeatureScale);

        public IEnumerable<(Parameter Parameter, Tensor Gradient)> Rows(nn.Module layer, Tensor input, Tensor outputGradient)
        {
            var s = ((FeatureScale)layer).Scale;
            yield return (s, (outputGradient * input).reshape(-1, s.shape[0]).sum(dim: 0L));
        }
    }

    private sealed class Model : nn.Module<Tensor, Tensor>
    {
        private readonly Linear first;
        private readonly FeatureScale scale;
        private readonly Linear last;

        public Model() : base("scaled")
        {
            random.manual_seed(8);
            first = nn.Linear(4, 6);
            scale = new FeatureScale(6);
            last = nn.Linear(6, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => last.call(scale.call(nn.functional.tanh(first.call(x))));
    }

    [Fact]
    public void ARegisteredRuleServesACustomLayerExactlyAsAutograd()
    {
        using var scope = NewDisposeScope();
        var model = new Model();
        Assert.Contains("FeatureScale", BatchedJacobians.Unsupported(model) ?? "(no rule needed?)");
        LayerJacobianRules.Register(new FeatureScaleRule());
        Assert.Null(BatchedJacobians.Unsupported(model));
        Assert.Contains(typeof(FeatureScale), LayerJacobianRules.Types);

        var constraint = new KlRetentionConstraint("retain", model, randn(new long[] { 5, 4 }, generator: new Generator(3)), margin: 0);
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(randn(p.shape, generator: new Generator(4)) * 0.1);
        var parameters = model.parameters().ToArray();
        var batched = ConstraintEvaluator.Evaluate(new Constraint[] { constraint }, parameters, JacobianPath.Batched)[0];
        var autograd = ConstraintEvaluator.Evaluate(new Constraint[] { constraint }, parameters, JacobianPath.Autograd)[0];
        Assert.Equal(autograd.Value, batched.Value, 6);
        for (int p = 0; p < parameters.Length; p++)
        {
            double diff = (batched.Jacobian[p]! - autograd.Jacobian[p]!).abs().max().item<float>();
            double size = autograd.Jacobian[p]!.abs().max().item<float>();
            Assert.True(diff <= 1e-5 * Math.Max(1, size) && size > 0, $"parameter {p}: |batched − autograd| = {diff}, |autograd| = {size}");
        }
    }
}
