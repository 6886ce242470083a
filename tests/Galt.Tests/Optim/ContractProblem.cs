using CsCheck;
using Galt.Constraints;
using Galt.Models;
using Galt.Multipliers;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>
/// A random small problem whose task pushes against its constraint, in a user's own loop: an MLP (4 → 8 → 3, ReLU), a
/// full-batch task on 8 points, and one constraint on 16 other inputs — a KL retention bound, a forbidden-mass bound
/// against a task that wants that class, a bound on the mean squared logit against a task that grows the logits, or
/// an equality on the mean class-0 logit that starts <see cref="Offset"/> away from its target.
/// </summary>
internal sealed record ContractProblem(int Seed, string Kind, double LearningRate, bool Hessian, double Offset)
{
    public static Gen<ContractProblem> Gen(bool infeasibleStart = false) =>
        from seed in CsCheck.Gen.Int[0, 1_000_000]
        from kind in infeasibleStart ? CsCheck.Gen.OneOfConst("equality", "shrink") : CsCheck.Gen.OneOfConst("kl", "forbidden", "inequality")
        from lr in CsCheck.Gen.OneOfConst(1e-3, 3e-3, 1e-2, 3e-2)
        from hessian in CsCheck.Gen.Bool
        from offset in CsCheck.Gen.Double[0.02, 0.2]
        select new ContractProblem(seed, kind, lr, hessian, offset);

    /// <summary>The model, its task loss and constraint, and an optimizer with default options but the learning rate (and <paramref name="configure"/>).</summary>
    public Built Build(Func<ConstrainedOptimizerOptions, ConstrainedOptimizerOptions>? configure = null)
    {
        random.manual_seed(Seed);
        var g = new Generator((ulong)Seed + 1);
        var model = new Mlp(4, 8, 3);
        var x = randn(new long[] { 8, 4 }, generator: g);
        var probes = randn(new long[] { 16, 4 }, generator: g);
        var towardZero = zeros(8, ScalarType.Int64);
        var labels = randint(0, 3, new long[] { 8 }, generator: g);
        Tensor Logits() => model.call(probes);
        double Start(Func<Tensor> measure) { using var ng = no_grad(); return measure().item<float>(); }
        Constraint constraint;
        Tensor y = labels;
        switch (Kind)
        {
            case "kl":
                constraint = new KlRetentionConstraint("retain", model, probes, margin: Offset / 20);
                break;
            case "forbidden":
                var mask = zeros(16, 3); mask[TensorIndex.Colon, 0] = 1;
                y = towardZero;
                double k0;
                using (var probe = new ForbiddenMassConstraint("probe", model, probes, mask, margin: 100)) k0 = probe.Value() + 100;
                constraint = new ForbiddenMassConstraint("no_class_0", model, probes, mask, margin: k0 + Offset / 4);
                break;
            case "inequality":
                double s0 = Start(() => Logits().square().mean());
                constraint = new FunctionConstraint("logit_size", ConstraintKind.Inequality, () => Logits().square().mean(), margin: s0 * (1 + Offset));
                break;
            case "shrink":
                // Starts violated: the mean squared logit must fall to half of what it is, while the task grows it.
                double s1 = Start(() => Logits().square().mean());
                constraint = new FunctionConstraint("logit_size", ConstraintKind.Inequality, () => Logits().square().mean(), margin: s1 * 0.5);
                break;
            default:
                y = towardZero;
                double m0 = Start(() => Logits()[TensorIndex.Colon, 0].mean());
                constraint = new FunctionConstraint("class_0_mean", ConstraintKind.Equality, () => Logits()[TensorIndex.Colon, 0].mean() - m0, margin: Offset);
                break;
        }
        var named = model.named_parameters().Select(p => (p.name, p.parameter));
        ConstrainedOptimizer optimizer = Hessian
            ? new AlHessianOptimizer(named, (AlHessianOptions)(configure?.Invoke(new AlHessianOptions { LearningRate = LearningRate }) ?? new AlHessianOptions { LearningRate = LearningRate }))
            : new GaltOptimizer(named, (GaltOptions)(configure?.Invoke(new GaltOptions { LearningRate = LearningRate }) ?? new GaltOptions { LearningRate = LearningRate }));
        optimizer.AddConstraint(constraint);
        return new Built(model, optimizer, constraint, () => nn.functional.cross_entropy(model.call(x), y));
    }

    /// <summary>The release's behaviour before the contract: the linearised rule, steps taken on the prediction alone.</summary>
    public static ConstrainedOptimizerOptions Uncontracted(ConstrainedOptimizerOptions options) => options with { MultiplierRule = new LinearizedDualRule(), Contract = null };

    public sealed record Built(Mlp Model, ConstrainedOptimizer Optimizer, Constraint Constraint, Func<Tensor> Loss) : IDisposable
    {
        public void Dispose()
        {
            Optimizer.Dispose();
            Constraint.Dispose();
            Model.Dispose();
        }
    }
}
