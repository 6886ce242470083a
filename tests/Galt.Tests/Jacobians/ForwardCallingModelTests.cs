using Galt.Constraints;
using Galt.Jacobians;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Jacobians;

/// <summary>
/// A model that runs its layers with <c>forward(...)</c> (hooks only fire through <c>call</c>): the batched path must not
/// hand out missing Jacobian rows. Under Auto it falls back to autograd with one warning; forced, it names the parameter.
/// </summary>
public class ForwardCallingModelTests
{
    private sealed class ForwardCaller : nn.Module<Tensor, Tensor>
    {
        private readonly Linear l1, l2;

        public ForwardCaller(int seed, string name) : base(name)
        {
            random.manual_seed(seed);
            l1 = nn.Linear(5, 8);
            l2 = nn.Linear(8, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => l2.forward(nn.functional.relu(l1.forward(x)));
    }

    /// <summary>The model and its constraint; <paramref name="name"/> keeps each test's warning distinct (warnings are once per reason).</summary>
    private static (ForwardCaller Model, KlRetentionConstraint Constraint) Setup(string name)
    {
        var model = new ForwardCaller(4, name);
        var constraint = new KlRetentionConstraint("retain", model, randn(new long[] { 6, 5 }, generator: new Generator(9)), margin: 0.001);
        using (no_grad())
        {
            var g = new Generator(10);
            foreach (var p in model.parameters()) p.add_(randn(p.shape, generator: g) * 0.2);
        }
        return (model, constraint);
    }

    [Fact]
    public void AutoFallsBackToAutogradWithOneWarningAndFullRows()
    {
        using var scope = NewDisposeScope();
        var (model, constraint) = Setup("warned");
        var parameters = model.parameters().ToArray();
        var warnings = new List<string>();
        var auto = ConstraintEvaluator.Evaluate(new Constraint[] { constraint }, parameters, JacobianPath.Auto, warnings.Add)[0];
        var reference = ConstraintEvaluator.Evaluate(new Constraint[] { constraint }, parameters, JacobianPath.Autograd)[0];
        Assert.Equal(reference.Value, auto.Value, 12);
        for (int p = 0; p < parameters.Length; p++)
        {
            Assert.NotNull(auto.Jacobian[p]);
            Assert.True((auto.Jacobian[p]! - reference.Jacobian[p]!).abs().max().item<float>() == 0, $"row of parameter {p}");
        }
        // One warning, naming the model, the parameter and the cause; the same reason is not repeated.
        var warning = Assert.Single(warnings);
        Assert.Contains("model 'warned'", warning);
        Assert.Contains("l1.weight", warning);
        Assert.Contains("forward(...)", warning);
        ConstraintEvaluator.Evaluate(new Constraint[] { constraint }, parameters, JacobianPath.Auto, warnings.Add);
        Assert.Single(warnings);
    }

    [Fact]
    public void ForcedBatchedNamesTheParameterNoHookSaw()
    {
        using var scope = NewDisposeScope();
        var (model, constraint) = Setup("forced");
        var e = Assert.Throws<NotSupportedException>(() =>
            ConstraintEvaluator.Evaluate(new Constraint[] { constraint }, model.parameters().ToArray(), JacobianPath.Batched));
        Assert.Contains("parameter 'l1.weight'", e.Message);
    }

    [Fact]
    public void ConstrainedStepsOnItMoveTheConstraintAsAutogradDoes()
    {
        double[] Run(JacobianPath path)
        {
            using var scope = NewDisposeScope();
            var (model, constraint) = Setup("stepped");
            var x = randn(new long[] { 16, 5 }, generator: new Generator(12));
            var y = randint(0, 3, new long[] { 16 }, generator: new Generator(13));
            using var optimizer = new GaltOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)),
                new GaltOptions { LearningRate = 1e-2, Jacobians = path });
            optimizer.AddConstraint(constraint);
            var values = new double[10];
            for (int s = 0; s < values.Length; s++)
            {
                optimizer.Step(() => nn.functional.cross_entropy(model.call(x), y));
                values[s] = constraint.Value();
            }
            return values;
        }
        var auto = Run(JacobianPath.Auto);
        var autograd = Run(JacobianPath.Autograd);
        Assert.Equal(autograd, auto);
        Assert.True(auto.Distinct().Count() > 1, "the steps must move the constraint for this check to mean anything");
    }
}
