using Galt.Experiments.ContinualLearning;

namespace Galt.Tests.Continual;

public class PenaltyBisectionTests
{
    private static PenaltyProbe Monotone(double w, double threshold) =>
        new(w, AverageAccuracy: 1 - 0.01 * Math.Log(1 + w), Forgetting: 0, MaxViolation: Math.Max(0, threshold - w), HeldOutViolation: 0, TrainSeconds: 0.1, MaxValue: threshold - w);

    [Theory]
    [InlineData(7.3)]
    [InlineData(0.02)]
    [InlineData(1.0)]
    public void FindsTheSmallestFeasibleWeightWithinTheResolution(double threshold)
    {
        var search = new PenaltyBisection().Search(w => Monotone(w, threshold));
        var best = Assert.IsType<PenaltyProbe>(search.Smallest);
        Assert.True(best.Feasible);
        Assert.True(best.Weight >= threshold && best.Weight <= threshold * 1.25 + 1e-12, $"w* = {best.Weight} for a threshold at {threshold}");
        // Every infeasible probe is below the threshold, every feasible one at or above it.
        Assert.All(search.Probes, p => Assert.Equal(p.Weight >= threshold, p.Feasible));
        Assert.True(search.Runs <= 14, $"{search.Runs} runs");
        Assert.Equal(search.Probes.Count, search.Runs);
    }

    [Fact]
    public void ReportsNoneWhenNothingUpToTheCapIsFeasible()
    {
        var search = new PenaltyBisection { Cap = 100 }.Search(w => Monotone(w, 1e9));
        Assert.Null(search.Smallest);
        Assert.Contains("no weight up to", search.Note);
        Assert.Equal(new[] { 1.0, 4, 16, 64 }, search.Probes.Select(p => p.Weight));
    }

    [Fact]
    public void StopsAtTheFloorWhenEverythingIsFeasible()
    {
        var search = new PenaltyBisection { Floor = 0.01 }.Search(w => Monotone(w, 0));
        Assert.Equal(1.0 / 64, search.Smallest!.Weight, 12);
        Assert.Contains("smallest weight tried", search.Note);
    }
}
