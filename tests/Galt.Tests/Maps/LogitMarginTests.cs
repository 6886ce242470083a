using Galt.Constraints;
using Galt.Optim;
using static TorchSharp.torch;

namespace Galt.Tests.Maps;

/// <summary>The logit-margin rows the map's edits and protections are made of (docs/maps.md; the note's check 9).</summary>
public class LogitMarginTests
{
    [Fact]
    public void Check9_AtTheHeadOneStepRealisesExactlyWhatTheSolvePredicts()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var trunk = nn.Sequential(("linear", nn.Linear(4, 8)), ("relu", nn.ReLU()));
        var head = nn.Linear(8, 3);
        var model = nn.Sequential(("trunk", trunk), ("head", head));
        var x = randn(4, 4);
        var labels = new long[] { 0, 1, 2, 1 };
        var rows = LogitMarginConstraint.Rows("margin", model, x, labels, margin: 1.0);
        Assert.Equal(8, rows.Count); // 4 examples × 2 competitors
        Assert.Equal("margin[3,2]", rows[^1].Name);

        // Weight decay off: the solve's prediction is spec §1.1's linearisation of the solved direction, which leaves the
        // decoupled decay out (the per-step contract measures it instead); with it, the head is still linear but shrinks.
        using var optimizer = new GaltOptimizer(head.named_parameters(), new GaltOptions { LearningRate = 0.05, Contract = null, WeightDecay = 0 });
        foreach (var row in rows) optimizer.AddConstraint(row);
        var before = rows.Select(r => r.Value()).ToArray();
        Assert.Contains(before, v => v > 0); // some rows violated: the solve acts on them
        using var target = tensor(labels);
        var result = optimizer.Step(() => nn.functional.cross_entropy(model.call(x), target));
        var after = rows.Select(r => r.Value()).ToArray();
        for (int i = 0; i < rows.Count; i++)
            Assert.True(Math.Abs(after[i] - result.PostValues[i]) <= 1e-5, $"{rows[i].Name}: realised {after[i]} vs predicted {result.PostValues[i]}");
        Assert.True(after.Zip(before).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the step should move the margins");
    }

    [Fact]
    public void ARowIsItsOwnExampleAgainstOneCompetitorAndBadRowsAreRefused()
    {
        using var scope = NewDisposeScope();
        var model = nn.Linear(2, 3);
        using (no_grad())
        {
            model.weight!.copy_(tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }));
            model.bias!.zero_();
        }
        var row = new LogitMarginConstraint("m", model, tensor(new float[] { 2, 1 }), label: 0, competitor: 2, margin: 0.5);
        // z = (2, 1, 3): C = z_2 − z_0 + 0.5 = 1.5.
        Assert.Equal(1.5, row.Value(), 6);
        Assert.Contains("against itself", Assert.Throws<ArgumentException>(() => new LogitMarginConstraint("m", model, tensor(new float[] { 2, 1 }), 1, 1, 0)).Message);
        Assert.Contains("outside the model's 3 classes", Assert.Throws<ArgumentException>(() => LogitMarginConstraint.Rows("m", model, zeros(1, 2), new long[] { 3 }, 1)).Message);
    }
}
