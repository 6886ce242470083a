namespace Galt.Optim;

/// <summary>
/// Which constraints get a Jacobian on a step when there are more than <see cref="Limit"/> (spec §4, the release's SfB
/// active set): the pinned constraints always, then the others with the highest score
/// s = max(0, C) + <see cref="LambdaWeight"/>·λ + <see cref="RiseWeight"/>·max(0, C − C_prev) + <see cref="StaleWeight"/>·min(1, stale/<see cref="StaleScale"/>),
/// where <c>stale</c> counts the steps since the constraint last had a Jacobian. Every constraint's value is still
/// evaluated every step; an inactive constraint enters the step with no Jacobian row (it cannot move the step), its
/// evaluation is flagged stale, and the step's <see cref="StepResult.Active"/> says which were active.
/// </summary>
/// <param name="Limit">Constraints differentiated per step (release: 2).</param>
/// <param name="Pinned">Names always active (release: <c>safety_alignment</c>).</param>
public sealed record ActiveSetRule(int Limit = 2, IReadOnlyList<string>? Pinned = null)
{
    /// <summary>Weight of λ in the score (release 0.25).</summary>
    public double LambdaWeight { get; init; } = 0.25;

    /// <summary>Weight of the rise since the previous step (release 1.0).</summary>
    public double RiseWeight { get; init; } = 1.0;

    /// <summary>Weight of staleness (release 0.1).</summary>
    public double StaleWeight { get; init; } = 0.1;

    /// <summary>Steps of staleness that earn the full <see cref="StaleWeight"/> (release 4).</summary>
    public double StaleScale { get; init; } = 4;

    /// <summary>Throws, naming the setting, when one is out of range.</summary>
    public void Validate(string owner)
    {
        if (Limit < 1) throw new ArgumentException($"{owner}.Limit must be at least 1; got {Limit}.");
        if ((Pinned?.Count ?? 0) > Limit) throw new ArgumentException($"{owner}: {Pinned!.Count} pinned constraints exceed the limit {Limit}.");
        foreach (var (name, v) in new[] { ("LambdaWeight", LambdaWeight), ("RiseWeight", RiseWeight), ("StaleWeight", StaleWeight) })
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException($"{owner}.{name} must be ≥ 0 and finite; got {v}.");
        if (!(StaleScale > 0) || double.IsInfinity(StaleScale)) throw new ArgumentException($"{owner}.StaleScale must be positive and finite; got {StaleScale}.");
    }

    /// <summary>The score of one constraint (spec §4).</summary>
    public double Score(double value, double previousValue, double lambda, int stale) =>
        Math.Max(0, value) + LambdaWeight * Math.Abs(lambda)
        + RiseWeight * (double.IsFinite(previousValue) ? Math.Max(0, value - previousValue) : 0)
        + StaleWeight * Math.Min(1, stale / StaleScale);

    /// <summary>
    /// The active flags for constraints named <paramref name="names"/> with values C, previous values, λ and staleness:
    /// all when there are at most <see cref="Limit"/>; else the pinned ones, then the highest scores (ties to the
    /// earlier registration).
    /// </summary>
    public bool[] Select(IReadOnlyList<string> names, IReadOnlyList<double> values, IReadOnlyList<double> previous, IReadOnlyList<double> lambdas, IReadOnlyList<int> stale)
    {
        int n = names.Count;
        var active = new bool[n];
        if (n <= Limit) { Array.Fill(active, true); return active; }
        int chosen = 0;
        var pinned = Pinned ?? Array.Empty<string>();
        for (int i = 0; i < n; i++)
            if (pinned.Contains(names[i])) { active[i] = true; chosen++; }
        foreach (int i in Enumerable.Range(0, n).Where(i => !active[i])
                     .OrderByDescending(i => Score(values[i], previous[i], lambdas[i], stale[i])).ThenBy(i => i))
        {
            if (chosen >= Limit) break;
            active[i] = true;
            chosen++;
        }
        return active;
    }
}
