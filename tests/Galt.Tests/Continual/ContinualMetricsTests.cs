using Galt.Continual;

namespace Galt.Tests.Continual;

public class ContinualMetricsTests
{
    [Fact]
    public void MetricsFollowTheSpecDefinitions()
    {
        // R[i][j]: accuracy on task j after task i.
        var r = new[]
        {
            new[] { 0.99, double.NaN, double.NaN },
            new[] { 0.80, 0.97, double.NaN },
            new[] { 0.70, 0.90, 0.95 },
        };
        Assert.Equal((0.70 + 0.90 + 0.95) / 3, ContinualMetrics.AverageAccuracy(r), 12);
        Assert.Equal(((0.99 - 0.70) + (0.97 - 0.90)) / 2, ContinualMetrics.Forgetting(r), 12);
        Assert.Equal(-ContinualMetrics.Forgetting(r), ContinualMetrics.BackwardTransfer(r), 12);
        Assert.Equal(0, ContinualMetrics.Forgetting(new[] { new[] { 0.5 } }));
    }

    [Fact]
    public void RefreshSchedulerFollowsPeriodAndTrigger()
    {
        var scheduler = new RefreshScheduler(new RefreshSchedule(RefreshPeriod: 3, Trigger: 0.3));
        var pattern = new List<bool>();
        foreach (var c in new[] { 0.0, 0.0, 0.0, 0.0, 0.5, 0.0 })
        {
            bool global = scheduler.NeedsRefresh(new[] { c });
            scheduler.MarkStep(global);
            pattern.Add(global);
        }
        // The first step is local (spec §1.4); every third step is global; a violation above the trigger forces one.
        Assert.Equal(new[] { false, false, true, false, true, false }, pattern);
        Assert.Equal(2, scheduler.GlobalSteps);
        Assert.Equal(4, scheduler.LocalSteps);
    }
}
