namespace Galt.Experiments.Reporting;

/// <summary>Aggregates over seeds as the release reports them: the mean and the population standard deviation (ddof = 0, spec conventions).</summary>
public static class SeedStatistics
{
    /// <summary>Mean and population standard deviation of <paramref name="values"/> (at least one).</summary>
    public static (double Mean, double Std) MeanAndStd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) throw new ArgumentException("need at least one value to aggregate.", nameof(values));
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average()));
    }
}
