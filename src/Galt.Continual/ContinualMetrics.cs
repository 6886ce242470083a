namespace Galt.Continual;

/// <summary>
/// The metrics every strategy is scored with, from the accuracy matrix R[i][j] = test accuracy on task j after
/// training task i (spec §3 "Metrics").
/// </summary>
public static class ContinualMetrics
{
    /// <summary>Average accuracy: mean_j R[T−1][j].</summary>
    public static double AverageAccuracy(double[][] r) => r[^1].Average();

    /// <summary>Average forgetting: mean_{j&lt;T−1} (R[j][j] − R[T−1][j]) (accuracy just after learning j minus final; 0 for one task).</summary>
    public static double Forgetting(double[][] r)
    {
        int t = r.Length;
        return t < 2 ? 0 : Enumerable.Range(0, t - 1).Average(j => r[j][j] - r[t - 1][j]);
    }

    /// <summary>Backward transfer (Lopez-Paz and Ranzato): mean_{j&lt;T−1} (R[T−1][j] − R[j][j]); equals −forgetting here.</summary>
    public static double BackwardTransfer(double[][] r) => -Forgetting(r);
}
