using System.Globalization;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.ContinualLearning;

/// <summary>
/// The report section "penalty vs constraint at equal feasibility": per seed, the smallest soft-penalty weight that
/// ends feasible on the anchor sets, what it scores and what the search cost, beside each GALT strategy's single run;
/// and a plot of accuracy against the final constraint value for every penalty run, GALT as points.
/// </summary>
public static class PenaltyReport
{
    /// <summary>Adds the section for one ground (no-op when the search was not run).</summary>
    public static void Add(RunRecord record, IReadOnlyList<ProtocolResult> protocols, string prefix, string protocol)
    {
        if (protocols.Any(p => p.PenaltySearch is null)) return;
        var galts = StrategyCatalog.ConstrainedNames.Where(n => protocols[0].Results.Any(r => r.Strategy == n)).ToArray();
        var table = new ReportTable
        {
            Title = $"{protocol}: penalty vs constraint at equal feasibility (soft penalty: smallest weight ending feasible on the anchor sets; GALT: its one run)",
            Columns = { "seed", "method", "weight", "runs", "train s (all runs)", "avg accuracy", "forgetting", "max C (anchor)", "max held-out violation", "feasible" },
        };
        foreach (var p in protocols)
        {
            string seed = p.Seed.ToString(CultureInfo.InvariantCulture);
            var search = p.PenaltySearch!;
            var best = search.Smallest;
            table.Rows.Add(new()
            {
                seed, "soft_penalty (search)", best is null ? "none" : best.Weight.ToString("g4", CultureInfo.InvariantCulture),
                search.Runs.ToString(CultureInfo.InvariantCulture), F(search.Probes.Sum(x => x.TrainSeconds), "0.0"),
                best is null ? "" : F(best.AverageAccuracy), best is null ? "" : F(best.Forgetting), best is null ? "" : F(best.MaxValue, "0.00000"),
                best is null ? "" : F(best.HeldOutViolation, "0.00000"), best is null ? $"no ({search.Note})" : "yes",
            });
            foreach (var name in galts)
            {
                var r = p.Results.Single(x => x.Strategy == name);
                var c = r.Constraints!.Certificate!;
                table.Rows.Add(new()
                {
                    seed, name, "", "1", F(r.WallSeconds, "0.0"), F(r.AverageAccuracy), F(r.Forgetting), F(c.MaxValue, "0.00000"),
                    F(c.MaxHeldOutViolation, "0.00000"), c.AllFeasible ? "yes" : "no",
                });
            }
        }
        record.Tables.Add(table);

        var found = protocols.Where(p => p.PenaltySearch!.Smallest is not null).Select(p => p.PenaltySearch!.Smallest!).ToArray();
        record.SetSummary(prefix + "penalty_search.runs", protocols.Average(p => p.PenaltySearch!.Runs));
        record.SetSummary(prefix + "penalty_search.train_seconds", protocols.Average(p => p.PenaltySearch!.Probes.Sum(x => x.TrainSeconds)));
        record.SetSummary(prefix + "penalty_search.found_seeds", found.Length);
        if (found.Length > 0)
        {
            record.SetSummary(prefix + "penalty_search.weight", found.Average(x => x.Weight));
            record.SetSummary(prefix + "penalty_search.avg_accuracy", found.Average(x => x.AverageAccuracy));
            record.SetSummary(prefix + "penalty_search.forgetting", found.Average(x => x.Forgetting));
        }

        var plot = new PlotSpec
        {
            File = $"{ContinualReport.FilePrefix(prefix)}penalty_vs_constraint.png",
            Title = $"{protocol}: accuracy vs final constraint value (soft-penalty runs by weight; GALT one run each)",
            XLabel = "final max C = KL − margin on the anchor sets (≤ 0: feasible)", YLabel = "average accuracy",
        };
        foreach (var p in protocols)
        {
            var runs = p.PenaltySearch!.Probes.OrderBy(x => x.Weight).ToArray();
            plot.Lines.Add(new PlotLine { Label = $"soft penalty, seed {p.Seed}", X = runs.Select(x => x.MaxValue).ToList(), Y = runs.Select(x => x.AverageAccuracy).ToList() });
        }
        foreach (var name in galts)
        {
            var runs = protocols.Select(p => p.Results.Single(x => x.Strategy == name)).ToArray();
            plot.Lines.Add(new PlotLine
            {
                Label = name, PointsOnly = true, X = runs.Select(r => r.Constraints!.Certificate!.MaxValue).ToList(), Y = runs.Select(r => r.AverageAccuracy).ToList(),
            });
        }
        record.Plots.Add(plot);
    }

    private static string F(double v, string format = "0.0000") => ContinualReport.F(v, format);
}
