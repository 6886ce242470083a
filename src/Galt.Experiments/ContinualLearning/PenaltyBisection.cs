using Galt.Continual;

namespace Galt.Experiments.ContinualLearning;

/// <summary>One soft-penalty run of the search: its weight, outcome and final feasibility on the anchor sets.</summary>
/// <param name="Weight">w.</param>
/// <param name="AverageAccuracy">Final average accuracy (test).</param>
/// <param name="Forgetting">Average forgetting.</param>
/// <param name="MaxViolation">Largest max(0, KL − margin) over the anchor sets at the end.</param>
/// <param name="HeldOutViolation">The same on the held-out twins.</param>
/// <param name="TrainSeconds">Training time of the run.</param>
/// <param name="MaxValue">Largest signed C = KL − margin over the anchor sets (negative: inside the feasible set).</param>
public sealed record PenaltyProbe(double Weight, double AverageAccuracy, double Forgetting, double MaxViolation, double HeldOutViolation, double TrainSeconds, double MaxValue)
{
    /// <summary>Ends feasible on every anchor set.</summary>
    public bool Feasible => MaxViolation <= 0;
}

/// <summary>The search's runs in the order taken, and the smallest feasible weight found (null: none up to the cap).</summary>
/// <param name="Probes">Every run, in order.</param>
/// <param name="Smallest">The smallest weight that ended feasible.</param>
/// <param name="Note">How the search ended.</param>
public sealed record PenaltySearch(IReadOnlyList<PenaltyProbe> Probes, PenaltyProbe? Smallest, string Note)
{
    /// <summary>Training runs the search cost.</summary>
    public int Runs => Probes.Count;
}

/// <summary>
/// Penalty vs constraint at equal feasibility: the smallest soft-penalty weight w whose run ends feasible on
/// the anchor sets (max over retention constraints of KL − margin ≤ 0), found by bracketing (×4 steps from the start
/// weight) and bisection in log w until the bracket's ratio is at most <see cref="Resolution"/>. Feasibility is read on
/// the anchor sets (training data) only, so the search uses no test information.
/// </summary>
public sealed class PenaltyBisection
{
    /// <summary>First weight tried.</summary>
    public double Start { get; init; } = 1;

    /// <summary>Bracketing factor.</summary>
    public double Factor { get; init; } = 4;

    /// <summary>Smallest weight tried going down.</summary>
    public double Floor { get; init; } = 1e-3;

    /// <summary>Largest weight tried going up.</summary>
    public double Cap { get; init; } = 1e5;

    /// <summary>Stop when feasible/infeasible bracket ratio ≤ this.</summary>
    public double Resolution { get; init; } = 1.25;

    /// <summary>Searches with <paramref name="run"/> (one training run of the soft penalty at a weight).</summary>
    public PenaltySearch Search(Func<double, PenaltyProbe> run)
    {
        var probes = new List<PenaltyProbe>();
        PenaltyProbe Probe(double w)
        {
            var p = run(w);
            probes.Add(p);
            return p;
        }

        var first = Probe(Start);
        PenaltyProbe? feasible = first.Feasible ? first : null;
        double infeasible = first.Feasible ? double.NaN : first.Weight;
        // Bracket: walk down from a feasible start, or up from an infeasible one.
        if (feasible is not null)
        {
            while (double.IsNaN(infeasible))
            {
                double w = feasible.Weight / Factor;
                if (w < Floor) return new PenaltySearch(probes, feasible, $"feasible down to the smallest weight tried ({Floor:g3})");
                var p = Probe(w);
                if (p.Feasible) feasible = p; else infeasible = w;
            }
        }
        else
        {
            while (feasible is null)
            {
                double w = infeasible * Factor;
                if (w > Cap) return new PenaltySearch(probes, null, $"no weight up to {Cap:g3} ended feasible");
                var p = Probe(w);
                if (p.Feasible) feasible = p; else infeasible = w;
            }
        }
        while (feasible.Weight / infeasible > Resolution)
        {
            double w = Math.Sqrt(feasible.Weight * infeasible);
            var p = Probe(w);
            if (p.Feasible) feasible = p; else infeasible = w;
        }
        return new PenaltySearch(probes, feasible, $"bracket [{infeasible:g4}, {feasible.Weight:g4}] (ratio ≤ {Resolution})");
    }

    /// <summary>A probe from a finished soft-penalty run (its certificate is over the anchor sets).</summary>
    public static PenaltyProbe ProbeOf(double weight, StrategyResult result)
    {
        var certificate = result.Constraints?.Certificate
            ?? throw new InvalidOperationException($"the soft-penalty run at w = {weight} produced no certificate.");
        return new PenaltyProbe(weight, result.AverageAccuracy, result.Forgetting, certificate.MaxViolation,
            certificate.MaxHeldOutViolation, result.WallSeconds, certificate.MaxValue);
    }
}
