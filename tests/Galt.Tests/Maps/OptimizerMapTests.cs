using Galt.Constraints;
using Galt.Maps;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Maps;

/// <summary><see cref="ConstrainedOptimizer.Map"/>: the neural map at an optimizer's state, on a user's model and rows.</summary>
public class OptimizerMapTests
{
    [Fact]
    public void TheMapAtAnOptimizersStateAnswersWhereAnEditCanBeMadeSafely()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = nn.Sequential(("hidden", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("head", nn.Linear(8, 3)));
        var x = randn(6, 4);
        var labels = new long[] { 0, 1, 2, 0, 1, 2 };
        using var target = tensor(labels);
        using var optimizer = new GaltOptimizer(model.named_parameters(), new GaltOptions { LearningRate = 1e-2 });
        for (int i = 0; i < 5; i++) optimizer.Step(() => nn.functional.cross_entropy(model.call(x), target));

        // Edit: example 0 should be class 1 (its margin over class 0 and 2); protect: examples 3–5 keep their labels.
        var edit = LogitMarginConstraint.Rows("edit", model, x[..1], new long[] { 1 }, margin: 0.5);
        var keep = LogitMarginConstraint.Rows("keep", model, x[3..], new long[] { 0, 1, 2 }, margin: -10); // far inside: inactive-safe
        var rows = edit.Select(c => ((Constraint)c, MapRowRole.Target)).Concat(keep.Select(c => ((Constraint)c, MapRowRole.Protect))).ToArray();
        var map = optimizer.Map(rows, "hidden", "head");

        Assert.Equal(new[] { "hidden", "head" }, map.SiteNames);
        Assert.Equal(1, map.Sites.Sum(s => s.Relevance), 12);
        // Two target rows on one example: the head (3 × 8 weights and a bias) spans them; loose protect rows admit it.
        Assert.Equal(0, map["head"].Reachability, 6);
        Assert.Equal(0, map["head"].Admissibility, 6);
        Assert.True(map.Select().Found);
        // The targets ask each edit row to reach its boundary: r = −C.
        Assert.Equal(-edit[0].Value(), map.Rows[0].Value, 6);

        // The map is the one its Grams give with the metric the next step would use (floored at 0.1 × its mean) and sites
        // {hidden.weight, hidden.bias}, {head.weight, head.bias}.
        var evaluations = Galt.Jacobians.ConstraintEvaluator.Evaluate(rows.Select(r => r.Item1).ToArray(), optimizer.Parameters, optimizer.JacobianPath);
        var metric = Enumerable.Range(0, 4).Select(p => PrimalStep.FloorMetric(optimizer.Metric.CurrentMetric(p)!, 0.1)).ToArray();
        var grams = NeuralMap.Grams(evaluations.Select(e => (IReadOnlyList<Tensor?>)e.Jacobian).ToArray(), metric, new[] { new[] { 0, 1 }, new[] { 2, 3 } });
        var direct = NeuralMap.Compute(map.Rows, map.SiteNames, grams);
        foreach (var site in map.SiteNames)
        {
            Assert.Equal(direct[site].Relevance, map[site].Relevance, 12);
            Assert.Equal(direct[site].Reachability, map[site].Reachability, 12);
            Assert.Equal(direct[site].Admissibility, map[site].Admissibility, 12);
            Assert.Equal(direct[site].Conditioning, map[site].Conditioning, 6);
        }
        // Nothing in the optimizer moved.
        Assert.Equal(5, optimizer.StepCount);
    }

    [Fact]
    public void SitesAreParameterNamePrefixesAndMistakesAreNamed()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("hidden", nn.Linear(2, 2)), ("head", nn.Linear(2, 2)));
        using var optimizer = new GaltOptimizer(model.named_parameters(), new GaltOptions());
        var row = new LogitMarginConstraint("m", model, ones(2), 0, 1, 0.1);
        var rows = new[] { ((Constraint)row, MapRowRole.Target) };
        Assert.Contains("names no parameter", Assert.Throws<ArgumentException>(() => optimizer.Map(rows, "tail")).Message);
        Assert.Contains("must not overlap", Assert.Throws<ArgumentException>(() => optimizer.Map(rows, "head", "head.weight")).Message);
        Assert.Contains("at least one site", Assert.Throws<ArgumentException>(() => optimizer.Map(rows)).Message);
        // "head" takes head.weight and head.bias, not a parameter merely starting with the letters.
        var map = optimizer.Map(rows, "hidden", "head");
        Assert.Equal(2, map.Sites.Count);
    }
}
