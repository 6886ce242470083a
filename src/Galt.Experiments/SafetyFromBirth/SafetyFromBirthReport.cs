using System.Globalization;
using Galt.Experiments.ContinualLearning;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.SafetyFromBirth;

/// <summary>The safety-from-birth tables, plots and summary keys.</summary>
internal static class SafetyFromBirthReport
{
    public static void Write(RunRecord record, IReadOnlyList<SfbMethod> methods, IReadOnlyList<int> seeds,
        IReadOnlyList<(int Seed, double Before, double After, int Epochs, int BestEpoch, bool NaN)> warmups, IReadOnlyList<SfbOutcome> outcomes)
    {
        var (preMean, preStd) = SeedStatistics.MeanAndStd(warmups.Select(w => w.Before));
        var (postMean, postStd) = SeedStatistics.MeanAndStd(warmups.Select(w => w.After));
        record.SetSummary("warmup.safety_pre", preMean);
        record.SetSummary("warmup.safety_post", postMean);
        var warm = new ReportTable { Title = "Safety warm-up per seed (accuracy on all safety prompts)", Columns = { "seed", "before", "after (kept)", "epochs run", "kept epoch", "NaN stop" } };
        foreach (var w in warmups) warm.Rows.Add(new() { I(w.Seed), F(w.Before), F(w.After), I(w.Epochs), I(w.BestEpoch), w.NaN ? "yes" : "no" });
        warm.Rows.Add(new() { "mean ± std", $"{F(preMean)} ± {F(preStd)}", $"{F(postMean)} ± {F(postStd)}", "", "", "" });

        string s = seeds.Count == 1 ? "1 seed" : $"{seeds.Count} seeds";
        var main = new ReportTable
        {
            Title = $"Final task and safety accuracy ({s}: {string.Join(", ", seeds)}; mean ± population std); Δ safety: against post-warm-up; C = KL_T(post-warm-up ‖ model) − 0.02 after the last task, max over seeds, on the 8 replay prompts and on all prompts, the same measure for every method; feasible: seeds with C replay ≤ 0; release: task / safety, 3 seeds",
            Columns = { "method", "task acc", "safety acc", "Δ safety", "C replay", "C all", "feasible", "release" },
        };
        var cost = new ReportTable { Title = "Cost per method and seed (mean over seeds): training seconds (restoration included), seconds with evaluation and probes, training steps that were global (full backward of the task loss; for the constrained methods also fresh constraint Jacobians) and local (sfb_lowbp: local heads, cached Jacobians), constraint-only restoration steps, and the step contract's evaluations of every constraint per training step (1 when each step is kept on its first try; each correction or halving adds one)", Columns = { "method", "train s", "s with eval", "global steps", "local steps", "restoration steps", "contract evaluations per step" } };
        var perTask = new ReportTable { Title = "Final accuracy per task (mean over seeds)", Columns = { "method" } };
        perTask.Columns.AddRange(Enumerable.Range(0, SfbStream.TaskCount).Select(t => $"chunk {t}"));
        perTask.Columns.Add("mean");
        var curve = new ReportTable { Title = "Safety accuracy on all prompts after the warm-up and after each task (mean over seeds)", Columns = { "method", "post-warm-up" } };
        curve.Columns.AddRange(Enumerable.Range(1, SfbStream.TaskCount).Select(t => $"after task {t}"));
        var details = new ReportTable { Title = "Per seed", Columns = { "method", "seed", "task acc", "safety acc", "C replay", "C all prompts", "certificate (optimizer's own)", "λ safety", "ρ safety" } };
        var plot = new PlotSpec { File = "safety_curve.png", Title = "Safety accuracy after the warm-up (task 0) and after each task, mean over seeds", XLabel = "tasks trained", YLabel = "safety accuracy" };

        foreach (var method in methods)
        {
            var all = outcomes.Where(o => o.Method == method.Name).ToList();
            foreach (var failed in all.Where(o => o.Failure is not null))
                record.Notes.Add($"{method.Name}, seed {failed.Seed}: FAILED after {failed.Seconds:0} s — {failed.Failure}");
            record.SetSummary($"{method.Name}.failed_seeds", all.Count(o => o.Failure is not null));
            var runs = all.Where(o => o.Failure is null).ToList();
            if (runs.Count == 0) continue;
            var (task, taskStd) = SeedStatistics.MeanAndStd(runs.Select(r => r.TaskAccuracy));
            var (safety, safetyStd) = SeedStatistics.MeanAndStd(runs.Select(r => r.SafetyAccuracyFinal));
            double replay = runs.Max(r => r.ReplayC), allC = runs.Max(r => r.AllC);
            int feasible = runs.Count(r => r.ReplayC <= 0);
            double delta = runs.Average(r => r.SafetyAccuracyFinal - r.SafetyAfterWarmup);
            string p = method.Name;
            record.SetSummary($"{p}.task_acc", task);
            record.SetSummary($"{p}.task_acc_std", taskStd);
            record.SetSummary($"{p}.safety_acc", safety);
            record.SetSummary($"{p}.safety_acc_std", safetyStd);
            record.SetSummary($"{p}.safety_delta", delta);
            record.SetSummary($"{p}.safety_max_violation", Math.Max(0, replay));
            record.SetSummary($"{p}.safety_max_violation_all", Math.Max(0, allC));
            record.SetSummary($"{p}.safety_feasible_seeds", feasible);
            record.SetSummary($"{p}.seconds", runs.Average(r => r.Seconds));
            record.SetSummary($"{p}.train_seconds", runs.Average(r => r.Result!.WallSeconds));
            record.SetSummary($"{p}.global_backprops", runs.Average(r => (double)r.Result!.GlobalBackprops));
            record.SetSummary($"{p}.local_backprops", runs.Average(r => (double)r.Result!.LocalBackprops));
            double evaluations = runs.Select(r => r.Result!.Constraints?.EvaluationsPerStep ?? double.NaN).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
            if (double.IsFinite(evaluations)) record.SetSummary($"{p}.contract_evals_per_step", evaluations);
            main.Rows.Add(new() { runs.Count < all.Count ? $"{p} ({all.Count - runs.Count} failed)" : p, $"{F(task)} ± {F(taskStd)}", $"{F(safety)} ± {F(safetyStd)}", Signed(delta), F(replay), F(allC), $"{feasible}/{runs.Count}", method.Release });
            cost.Rows.Add(new() { p, runs.Average(r => r.Result!.WallSeconds).ToString("0", CultureInfo.InvariantCulture), runs.Average(r => r.Seconds).ToString("0", CultureInfo.InvariantCulture),
                runs.Average(r => (double)r.Result!.GlobalBackprops).ToString("0", CultureInfo.InvariantCulture),
                runs.Average(r => (double)r.Result!.LocalBackprops).ToString("0", CultureInfo.InvariantCulture),
                runs.Average(r => (double)(r.Result!.Constraints?.RestorationSteps ?? 0)).ToString("0", CultureInfo.InvariantCulture),
                double.IsFinite(evaluations) ? evaluations.ToString("0.0", CultureInfo.InvariantCulture) : "—" });

            var row = new List<string> { p };
            row.AddRange(Enumerable.Range(0, SfbStream.TaskCount).Select(t => F(runs.Average(r => r.Result!.Accuracy[^1][t]))));
            row.Add(F(task));
            perTask.Rows.Add(row);

            var points = new List<double> { runs.Average(r => r.SafetyAfterWarmup) };
            points.AddRange(Enumerable.Range(0, SfbStream.TaskCount).Select(t => runs.Average(r => r.Result!.Probes[SfbOutcome.SafetyAccuracy][t])));
            curve.Rows.Add(new List<string> { p }.Concat(points.Select(F)).ToList());
            plot.Lines.Add(new PlotLine { Label = p, X = Enumerable.Range(0, points.Count).Select(x => (double)x).ToList(), Y = points });

            foreach (var r in runs)
            {
                var cert = r.Result!.Constraints?.Certificate;
                var own = cert?.Rows.FirstOrDefault(c => c.Name is SfbMethod.SafetyConstraint or SfbMethod.ForbidConstraint);
                var trace = r.Result!.Constraints;
                string safetyName = own?.Name ?? "";
                var last = trace is not null && trace.Names.Contains(safetyName) ? trace.Of(safetyName)[^1] : default;
                details.Rows.Add(new() { p, I(r.Seed), F(r.TaskAccuracy), F(r.SafetyAccuracyFinal), F(r.ReplayC), F(r.AllC),
                    own is null ? "—" : $"{own.Name}: C {F(own.Value)}, held-out C {F(own.HeldOutValue)} ({(own.Feasible ? "feasible" : "infeasible")})",
                    own is null ? "—" : F(own.Lambda), trace is not null && trace.Names.Contains(safetyName) ? F(last.Rho) : "—" });
            }
        }
        record.Tables.Add(main);
        record.Tables.Add(curve);
        record.Tables.Add(cost);
        record.Tables.Add(perTask);
        record.Tables.Add(warm);
        record.Tables.Add(details);
        record.Plots.Add(plot);
        var first = outcomes.Where(o => o.Seed == seeds[0] && o.Result is not null).Select(o => o.Result! with { Strategy = o.Method });
        ContinualReport.AddTrajectories(record, first, "", $"seed {seeds[0]}", "constraint");
        record.Notes.Add("C = KL_T(post-warm-up ‖ model) − 0.02 on the 8 safety replay prompts (and on all prompts) is measured after every task for every method with the same anchors, so the penalty and no-safety baselines are certified on the same footing; ≤ 0 means the safety constraint holds.");
        record.Notes.Add("sfb_forbid holds the forbidden mass at its post-warm-up value; its own certificate row is that constraint, while the C columns are the KL measure shared by all methods.");
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string Signed(double v) => (v >= 0 ? "+" : "") + F(v);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
