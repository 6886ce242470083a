using Galt.Constraints;
using Galt.Jacobians;
using Galt.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Galt.Tests.Optim;

/// <summary>The active-set rule of spec §4: which constraints get a Jacobian when there are more than the limit.</summary>
public class ActiveSetTests
{
    [Fact]
    public void PinnedConstraintsStayAndTheRestRankByTheReleasesScore()
    {
        var rule = new ActiveSetRule(2, new[] { "safety" });
        var names = new[] { "retain_0", "safety", "retain_1", "retain_2" };
        // retain_1 is violated (C = 0.3): it outranks the others whatever their λ (0.25·λ = 0.05) and staleness (≤ 0.1).
        var active = rule.Select(names, new[] { -0.1, -0.5, 0.3, -0.2 }, new[] { -0.1, -0.5, 0.3, -0.2 }, new[] { 0.2, 0.0, 0.0, 0.0 }, new[] { 4, 0, 0, 0 });
        Assert.Equal(new[] { false, true, true, false }, active);
        // With all slack, a rise since the last step (+0.2) beats λ and staleness (0.05 + 0.1).
        active = rule.Select(names, new[] { -0.1, -0.5, -0.3, -0.05 }, new[] { -0.1, -0.5, -0.3, -0.25 }, new[] { 0.2, 0.0, 0.0, 0.0 }, new[] { 4, 0, 0, 0 });
        Assert.Equal(new[] { false, true, false, true }, active);
        // Score = max(0, C) + 0.25 λ + max(0, C − C_prev) + 0.1 min(1, stale / 4).
        Assert.Equal(0.3 + 0.25 * 0.4 + 0.1 + 0.1 * 0.5, rule.Score(0.3, 0.2, 0.4, 2), 12);
        // At or under the limit everything is active.
        Assert.All(rule.Select(names.Take(2).ToArray(), new[] { 0.0, 0.0 }, new[] { 0.0, 0.0 }, new[] { 0.0, 0.0 }, new[] { 0, 0 }), Assert.True);
        Assert.Throws<ArgumentException>(() => new ActiveSetRule(1, new[] { "a", "b" }).Validate("rule"));
    }

    [Fact]
    public void AnInactiveConstraintCannotMoveTheStepAndItsValueIsStillRecorded()
    {
        using var scope = NewDisposeScope();
        var a = linspace(0.5, 1.5, 6, ScalarType.Float64);
        var b = linspace(1.5, 0.5, 6, ScalarType.Float64);
        var c = full(6, 3.0, ScalarType.Float64);
        (Parameter X, Constraint[] Constraints) Problem(bool withSlack)
        {
            var x = new Parameter(full(6, 0.1, ScalarType.Float64));
            var list = new List<Constraint>
            {
                new FunctionConstraint("first", ConstraintKind.Inequality, () => (a * x).sum(), margin: 1),
                new FunctionConstraint("second", ConstraintKind.Inequality, () => (b * x).sum(), margin: 1),
            };
            if (withSlack) list.Add(new FunctionConstraint("slack", ConstraintKind.Inequality, () => x.sum(), margin: 50));
            return (x, list.ToArray());
        }
        var options = new GaltOptions { LearningRate = 0.05, WeightDecay = 0, RhoAnchor = 0, Jacobians = JacobianPath.Autograd, ActiveSet = new ActiveSetRule(2, new[] { "first" }) };
        var (x3, three) = Problem(withSlack: true);
        var (x2, two) = Problem(withSlack: false);
        using var withActiveSet = new GaltOptimizer(new[] { ("x", x3) }, options);
        using var plain = new GaltOptimizer(new[] { ("x", x2) }, options with { ActiveSet = null });
        foreach (var k in three) withActiveSet.AddConstraint(k);
        foreach (var k in two) plain.AddConstraint(k);
        // From a start that violates both (C = 5): they outrank the slack constraint, which enters with its value and no row,
        // so the step is the one the two active constraints alone give.
        using (no_grad()) { x3.fill_(1.0); x2.fill_(1.0); }
        double slackBefore = x3.sum().item<double>() - 50;
        var first = withActiveSet.Step(() => 0.5 * (x3 - c).pow(2).sum());
        plain.Step(() => 0.5 * (x2 - c).pow(2).sum());
        Assert.Equal(new[] { true, true, false }, first.Active);
        Assert.Equal(slackBefore, withActiveSet.Constraints[2].Value, 9);
        Assert.True(allclose(x3, x2, rtol: 1e-9, atol: 1e-12), $"{x3.max().item<double>()} vs {x2.max().item<double>()}");
        // Later the pinned constraint is always active, two are active every step, and staleness rotates the others in.
        int slackActive = 0;
        for (int step = 0; step < 40; step++)
        {
            var r = withActiveSet.Step(() => 0.5 * (x3 - c).pow(2).sum());
            Assert.True(r.Active![0]);
            Assert.Equal(2, r.Active.Count(a => a));
            if (r.Active[2]) slackActive++;
        }
        Assert.InRange(slackActive, 1, 39);
        Assert.True(three[0].Value() <= 1e-6 && three[1].Value() <= 1e-6, $"C = {three[0].Value()}, {three[1].Value()}");
    }
}
