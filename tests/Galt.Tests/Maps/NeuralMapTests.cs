using Galt.Maps;
using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Tests.Maps;

/// <summary>The neural map's closed-form checks (docs/maps.md; ../shared/notes/maps.md checks 1–7).</summary>
public class NeuralMapTests
{
    private static MapRow T(double r, string name = "edit") => new(name, MapRowRole.Target, r);
    private static MapRow P(double b, string name = "protect") => new(name, MapRowRole.Protect, b);
    private static MapRow C(string name = "channel") => new(name, MapRowRole.Channel);

    /// <summary>The Gram of rows <paramref name="j"/> (one vector each) under the diagonal metric <paramref name="d"/>.</summary>
    private static double[,] Gram(double[][] j, double[] d)
    {
        int k = j.Length;
        var g = new double[k, k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
                for (int n = 0; n < d.Length; n++) g[a, b] += j[a][n] * j[b][n] / d[n];
        return g;
    }

    private static NeuralMap One(MapRow[] rows, double[][] j, double[] d) => NeuralMap.Compute(rows, new[] { "site" }, new[] { Gram(j, d) });

    [Fact]
    public void Check1_SiteGramsSumToTheGlobalGram()
    {
        // Three tensors, four rows (some rows absent from some tensors), two sites: {0, 2} and {1}.
        using var scope = NewDisposeScope();
        manual_seed(5);
        var shapes = new long[][] { new long[] { 3, 4 }, new long[] { 5 }, new long[] { 2, 2 } };
        var metric = shapes.Select(s => rand(s, ScalarType.Float32).Plus(0.5)).ToArray();
        var jacobians = Enumerable.Range(0, 4).Select(i => (IReadOnlyList<Tensor?>)shapes.Select((s, p) => (i + p) % 3 == 0 ? null : randn(s, ScalarType.Float32)).ToArray()).ToArray();
        var sites = NeuralMap.Grams(jacobians, metric, new[] { new[] { 0, 2 }, new[] { 1 } });
        // The global Gram, independently: every row flattened over all tensors, J diag(1/D) Jᵀ in float64.
        var d = cat(metric.Select(m => m.reshape(-1)).ToArray()).to_type(ScalarType.Float64);
        var j = stack(jacobians.Select(row => cat(row.Select((t, p) => t is null ? zeros(shapes[p].Aggregate(1L, (a, b) => a * b)) : t.reshape(-1)).ToArray())).ToArray()).to_type(ScalarType.Float64);
        var global = j.div(d).matmul(j.t()).data<double>().ToArray();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                Assert.Equal(global[a * 4 + b], sites[0][a, b] + sites[1][a, b], 1e-12);
    }

    [Fact]
    public void Check2_Relevance()
    {
        var rows = new[] { T(1) };
        // A zero row on site 2: relevance (1, 0).
        var zero = NeuralMap.Compute(rows, new[] { "one", "two" }, new[] { Gram(new[] { new[] { 1.0, 2 } }, new[] { 1.0, 1 }), new double[1, 1] });
        Assert.Equal(1, zero["one"].Relevance, 12);
        Assert.Equal(0, zero["two"].Relevance, 12);
        // Equal J, D₁ = 4 D₂: relevance (0.2, 0.8).
        var j = new[] { new[] { 1.0, -1 } };
        var scaled = NeuralMap.Compute(rows, new[] { "one", "two" }, new[] { Gram(j, new[] { 4.0, 4 }), Gram(j, new[] { 1.0, 1 }) });
        Assert.Equal(0.2, scaled["one"].Relevance, 12);
        Assert.Equal(0.8, scaled["two"].Relevance, 12);
    }

    [Fact]
    public void Check3_Reachability()
    {
        var j = new[] { new[] { 1.0, 0 }, new[] { 2.0, 0 } };
        var d = new[] { 1.0, 1 };
        var reachable = One(new[] { T(1, "a"), T(2, "b") }, j, d)["site"];
        Assert.Equal(0, reachable.Reachability, 12);
        // Δ* = D⁻¹ J_Tᵀ y = (1, 0).
        var y = reachable.ReachCoefficients;
        Assert.Equal(1, y[0] * j[0][0] + y[1] * j[1][0], 12);
        Assert.Equal(0, y[0] * j[0][1] + y[1] * j[1][1], 12);
        var unreachable = One(new[] { T(1, "a"), T(0, "b") }, j, d)["site"];
        Assert.Equal(2 / Math.Sqrt(5), unreachable.Reachability, 12);
    }

    [Fact]
    public void Check4_Admissibility()
    {
        var d = new[] { 1.0, 1 };
        // T row (1, 0), r = 1; I row (1, 1), b = 0: Δ = (1, −1), admissible.
        var admits = One(new[] { T(1), P(0) }, new[] { new[] { 1.0, 0 }, new[] { 1.0, 1 } }, d)["site"];
        Assert.True(admits.AdmissibilityConverged);
        Assert.Equal(0, admits.Admissibility, 12);
        var y = admits.AdmissibleCoefficients;
        Assert.Equal(1, y[0] * 1 + y[1] * 1, 12);
        Assert.Equal(-1, y[0] * 0 + y[1] * 1, 12);
        // I row (1, 0), b = 0, against the target: the best compromise leaves ‖(−½, ½)‖ = 1/√2.
        var refuses = One(new[] { T(1), P(0) }, new[] { new[] { 1.0, 0 }, new[] { 1.0, 0 } }, d)["site"];
        Assert.True(refuses.AdmissibilityConverged);
        Assert.Equal(1 / Math.Sqrt(2), refuses.Admissibility, 12);
        // A protect row the reach step already satisfies stays out of the step: Δ = (1, 0).
        var slack = One(new[] { T(1), P(5) }, new[] { new[] { 1.0, 0 }, new[] { 1.0, 1 } }, d)["site"];
        Assert.Equal(0, slack.Admissibility, 12);
        Assert.Equal(0, slack.AdmissibleCoefficients[1], 12);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.2)]
    [InlineData(2.5)]
    public void Check5_ConditioningOfTwoRowsAtAnAngle(double phi)
    {
        var j = new[] { new[] { 2.0, 0 }, new[] { 0.5 * Math.Cos(phi), 0.5 * Math.Sin(phi) } };
        var map = One(new[] { T(1, "a"), T(1, "b") }, j, new[] { 1.0, 3 });
        // Under D = diag(1, 3) the rows' angle is measured in D⁻¹: cos φ' = ⟨a, b⟩_{D⁻¹} / (‖a‖ ‖b‖).
        var g = Gram(j, new[] { 1.0, 3 });
        double cos = Math.Abs(g[0, 1] / Math.Sqrt(g[0, 0] * g[1, 1]));
        Assert.Equal((1 + cos) / (1 - cos), map["site"].Conditioning, 9);
        // With D = I it is the plain angle.
        var plain = One(new[] { T(1, "a"), T(1, "b") }, j, new[] { 1.0, 1 });
        double c = Math.Abs(Math.Cos(phi));
        Assert.Equal((1 + c) / (1 - c), plain["site"].Conditioning, 9);
    }

    [Fact]
    public void Check6_Interference()
    {
        // Target row g = (1, 0), channel J_c = (1, 1), D = diag(1, 4): ι = 2/√5.
        var map = One(new[] { T(1), C() }, new[] { new[] { 1.0, 0 }, new[] { 1.0, 1 } }, new[] { 1.0, 4 });
        Assert.Equal(2 / Math.Sqrt(5), map["site"].Interference[0], 12);
        Assert.Equal(2 / Math.Sqrt(5), map["site"].InterferenceMax, 12);
        // A channel the step moves down is not disturbed upward: ι < 0, ι⁺ = 0.
        var away = One(new[] { T(1), C() }, new[] { new[] { 1.0, 0 }, new[] { -1.0, 1 } }, new[] { 1.0, 4 });
        Assert.True(away["site"].Interference[0] < 0);
        Assert.Equal(0, away["site"].InterferenceMax);
    }

    [Fact]
    public void Check7_TheLoraChartRootIsTheFirstSignChange()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0.5, ChartRadius.FirstRoot(1, -3, 2), 12);
        Assert.Equal(0.25, ChartRadius.FirstRoot(1, -4), 12);
        Assert.Equal(double.PositiveInfinity, ChartRadius.FirstRoot(1, 3, 2));
        Assert.Equal(double.PositiveInfinity, ChartRadius.FirstRoot(0, -1));
        var z = tensor(new[] { 1.0, -2.0 });
        var v = tensor(new[] { -3.0, 1.0 });
        var w = tensor(new[] { 2.0, 0.0 });
        Assert.Equal(0.5, ChartRadius.FirstRoot(z, v, w), 12);
    }

    [Fact]
    public void SelectionPrefersTheLeastInterferingEligibleSiteAndSaysWhenNoneIsAdmissible()
    {
        var rows = new[] { T(1), P(0), C() };
        // Site "head" reaches the edit but moves the channel; "hidden" reaches it without; "frozen" cannot move the edit.
        var head = Gram(new[] { new[] { 1.0, 0 }, new[] { 0.0, 1 }, new[] { 1.0, 0 } }, new[] { 1.0, 1 });
        var hidden = Gram(new[] { new[] { 1.0, 0 }, new[] { 0.0, 1 }, new[] { 0.0, 1 } }, new[] { 1.0, 1 });
        var frozen = Gram(new[] { new[] { 0.0, 0 }, new[] { 1.0, 0 }, new[] { 1.0, 0 } }, new[] { 1.0, 1 });
        var map = NeuralMap.Compute(rows, new[] { "frozen", "hidden", "head" }, new[] { frozen, hidden, head });
        var choice = map.Select();
        Assert.Equal(new[] { "hidden" }, choice.Sites);
        Assert.Contains("lowest interference", choice.Reason);

        // Every site's only way to the edit breaks the protect row: nothing is admissible, and it is said.
        var blocked = Gram(new[] { new[] { 1.0, 0 }, new[] { 1.0, 0 }, new[] { 0.0, 0 } }, new[] { 1.0, 1 });
        var none = NeuralMap.Compute(rows, new[] { "a", "b" }, new[] { blocked, blocked }).Select();
        Assert.False(none.Found);
        Assert.Empty(none.Sites);
        Assert.Contains("no admissible site", none.Reason);
    }

    [Fact]
    public void ATargetNeedingTwoSitesIsMadeByTheirUnion()
    {
        // Two targets, each reachable only in its own site: neither site alone, their union does.
        var rows = new[] { T(1, "a"), T(1, "b") };
        var first = Gram(new[] { new[] { 1.0, 0 }, new[] { 0.0, 0 } }, new[] { 1.0, 1 });
        var second = Gram(new[] { new[] { 0.0, 0 }, new[] { 0.0, 2 } }, new[] { 1.0, 1 });
        var map = NeuralMap.Compute(rows, new[] { "first", "second" }, new[] { first, second });
        Assert.All(map.Sites, s => Assert.True(s.Admissibility > 0.5));
        var choice = map.Select();
        Assert.Equal(new[] { "second", "first" }, choice.Sites); // falling relevance: 0.8, 0.2
        Assert.Equal(0, choice.Map!.Admissibility, 12);
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        var rows = new[] { T(1) };
        Assert.Contains("2×2", Assert.Throws<ArgumentException>(() => NeuralMap.Compute(rows, new[] { "s" }, new[] { new double[2, 2] })).Message);
        Assert.Contains("repeat", Assert.Throws<ArgumentException>(() => NeuralMap.Compute(rows, new[] { "s", "s" }, new[] { new double[1, 1], new double[1, 1] })).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => NeuralMap.Compute(rows, new[] { "s" }, new[] { new[,] { { double.NaN } } })).Message);
        Assert.Contains("no site 'x'", Assert.Throws<KeyNotFoundException>(() => NeuralMap.Compute(rows, new[] { "s" }, new[] { new double[1, 1] })["x"]).Message);
    }
}
