namespace Galt.Maps;

/// <summary>
/// The step scale σ ∈ [0, 1] a <see cref="TrustRegion"/> allows along θ + σδ, found from sign patterns: a chart is the
/// set of signs of every pre-activation at and after the site on the map's examples, and a boundary is crossed where
/// that pattern changes. The pattern at t is given by <c>signsAt(t)</c> (a forward at θ + tδ); boundaries are located by
/// bisection to <see cref="Bisections"/> halvings (≈ 20 forwards per boundary), and σ stops on the near side of the one
/// that ends the region, so the step never leaves the chart it is allowed. A pattern is compared at the ends of each
/// bracket, so a unit that changes sign and changes back inside one bracket is not seen: at the site's own layer a
/// pre-activation is linear in t (a LoRA pair's quadratic) and changes sign at most once (twice).
/// </summary>
internal static class ChartSearch
{
    /// <summary>Halvings per boundary: the boundary's t is known to 2⁻²⁰ ≈ 1e-6 of the step.</summary>
    public const int Bisections = 20;

    /// <summary>σ for <paramref name="mode"/>; <paramref name="signsAt"/>(t) is the sign pattern (+1, 0, −1 per unit and example) at θ + tδ.</summary>
    public static (double Sigma, int Forwards) Scale(TrustRegion mode, Func<double, sbyte[]> signsAt)
    {
        if (mode == TrustRegion.Raw) return (1, 0);
        int forwards = 0;
        sbyte[] Signs(double t) { forwards++; return signsAt(t); }
        var start = Signs(0);
        // BoundaryOnly: the region is the chart at t = 0. ChartLocal: that chart and the next one.
        double from = 0;
        var chart = start;
        int crossings = mode == TrustRegion.BoundaryOnly ? 0 : 1;
        for (int crossed = 0; ; crossed++)
        {
            var atOne = Signs(1);
            if (SameChart(chart, atOne, start)) return (1, forwards);
            // The first t in (from, 1] whose pattern leaves the chart: bisection between a t inside and one outside.
            double inside = from, outside = 1;
            for (int h = 0; h < Bisections; h++)
            {
                double mid = 0.5 * (inside + outside);
                if (SameChart(chart, Signs(mid), start)) inside = mid;
                else outside = mid;
            }
            if (crossed == crossings) return (inside, forwards);
            // Step into the next chart: the pattern just past the boundary.
            from = outside;
            chart = Signs(outside);
        }
    }

    // A unit exactly at zero at the start counts with either sign: the chart is decided by the units away from the kink.
    private static bool SameChart(sbyte[] chart, sbyte[] now, sbyte[] start)
    {
        if (chart.Length != now.Length) throw new InvalidOperationException($"the sign pattern changed length ({chart.Length} → {now.Length}): the chart probe must return the same pre-activations at every t.");
        for (int i = 0; i < chart.Length; i++)
            if (chart[i] != 0 && now[i] != chart[i]) return false;
        return true;
    }
}
