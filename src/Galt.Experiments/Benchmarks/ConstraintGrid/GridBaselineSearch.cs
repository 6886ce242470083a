namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>What a baseline's weight search found in one cell.</summary>
/// <param name="Method">Soft penalty or gradient ascent.</param>
/// <param name="Weight">The smallest weight found whose runs all hold; null when none up to the cap does.</param>
/// <param name="Runs">The runs (one per seed) at <paramref name="Weight"/>, or at the cap when none was found (run in full).</param>
/// <param name="RunsCost">Runs the search took (including early-stopped ones and the cap's full reruns).</param>
/// <param name="Tried">Each weight tried, in order, with whether it held.</param>
public sealed record GridBaselineResult(GridMethodKind Method, double? Weight, IReadOnlyList<GridRunMetrics> Runs, int RunsCost, IReadOnlyList<(double Weight, bool Holds)> Tried)
{
    /// <summary>Whether a holding weight was found.</summary>
    public bool Found => Weight is not null;
}

/// <summary>
/// The smallest weight (w of the soft penalty, η of gradient ascent) whose runs hold the constraint on every seed:
/// ×4 bracketing from 1 upward to the cap 4^10, then (unless bracketing only) bisection in log space until the
/// bracket's ratio is at most 1.5. A weight holds when every seed's run has at most 1 % of its post-warm-up steps
/// infeasible and ends feasible; a seed's run stops as soon as it cannot hold any more, and later seeds are not run
/// once one seed fails (the verdict is then known).
/// </summary>
public static class GridBaselineSearch
{
    /// <summary>The first weight tried.</summary>
    public const double Start = 1;

    /// <summary>The bracketing factor.</summary>
    public const double Factor = 4;

    /// <summary>The largest weight tried: 4^10.</summary>
    public static readonly double Cap = Math.Pow(Factor, 10);

    /// <summary>Bisection stops when the bracket's upper/lower ratio is at most this.</summary>
    public const double BracketRatio = 1.5;

    /// <summary>Runs the search for <paramref name="method"/> in <paramref name="cell"/> over <paramref name="seeds"/>.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="method">Soft penalty or gradient ascent.</param>
    /// <param name="seeds">The seeds every weight must hold on.</param>
    /// <param name="settings">Steps and tolerances (the search sets <see cref="GridRunSettings.StopWhenNotHolding"/> itself).</param>
    /// <param name="bracketOnly">Skip the bisection (<c>--quick</c>).</param>
    /// <param name="onRun">Called after every run (progress).</param>
    public static GridBaselineResult Find(GridCell cell, GridMethodKind method, IReadOnlyList<int> seeds, GridRunSettings settings, bool bracketOnly, Action? onRun = null)
    {
        if (method is not (GridMethodKind.SoftPenalty or GridMethodKind.GradientAscent))
            throw new ArgumentException($"only the baselines have a weight to search; got {method}.", nameof(method));
        var searching = settings with { StopWhenNotHolding = true };
        int cost = 0;
        var tried = new List<(double, bool)>();
        (bool Holds, List<GridRunMetrics> Runs) At(double weight, GridRunSettings s)
        {
            var runs = new List<GridRunMetrics>();
            foreach (int seed in seeds)
            {
                var run = GridRun.Run(cell, new GridMethod(method, weight), seed, s);
                cost++;
                onRun?.Invoke();
                runs.Add(run);
                if (!run.Holds) return (false, runs);
            }
            return (true, runs);
        }

        double? lower = null, upper = null;
        List<GridRunMetrics>? best = null;
        for (double w = Start; w <= Cap * (1 + 1e-12); w *= Factor)
        {
            var (holds, runs) = At(w, searching);
            tried.Add((w, holds));
            if (holds) { upper = w; best = runs; break; }
            lower = w;
        }
        if (upper is null)
        {
            // Nothing up to the cap holds: the cap's runs again, in full, so the report shows how far it is from holding.
            var full = seeds.Select(seed => { var r = GridRun.Run(cell, new GridMethod(method, Cap), seed, settings); cost++; onRun?.Invoke(); return r; }).ToList();
            return new GridBaselineResult(method, null, full, cost, tried);
        }
        if (!bracketOnly && lower is not null)
            while (upper.Value / lower.Value > BracketRatio)
            {
                double middle = Math.Sqrt(lower.Value * upper.Value);
                var (holds, runs) = At(middle, searching);
                tried.Add((middle, holds));
                if (holds) { upper = middle; best = runs; }
                else lower = middle;
            }
        return new GridBaselineResult(method, upper, best!, cost, tried);
    }
}
