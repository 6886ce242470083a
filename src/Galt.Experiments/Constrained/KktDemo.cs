using System.Diagnostics;
using System.Globalization;
using Galt.Experiments.Reporting;

namespace Galt.Experiments.Constrained;

/// <summary>
/// <c>galt run kkt-demo</c>: both optimizers on four convex problems with closed-form KKT points (one active inequality,
/// one inactive inequality, one equality, two coupled inequalities); found vs exact x* and λ*.
/// Summary keys <c>max_x_error</c>, <c>max_lambda_error</c> (over every problem and both optimizers).
/// </summary>
public sealed class KktDemo : IRunnable
{
    /// <inheritdoc />
    public string Name => "kkt-demo";

    /// <inheritdoc />
    public string Description => "GaltOptimizer and AlHessianOptimizer on convex problems with known KKT points; found vs exact x*, λ* (summary max_x_error, max_lambda_error).";

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        var clock = Stopwatch.StartNew();
        var record = new RunRecord { Experiment = Name, Title = "Closed-form KKT points: found vs exact", StartedUtc = DateTime.UtcNow, Seeds = { context.Seed } };
        record.Config["problems"] = "min ‖x − a‖², a = (1, 2, 3), x₀ = 0, subject to linear constraints";
        record.Config["galt"] = $"lr 0.02, wd 0, ρ_P 1→5 (growth 1.5, τ 0.9), ρ_I 1, ρ_a 0.1, K_in 5, {KktSettings.GaltSteps} steps";
        record.Config["al_hessian"] = $"lr 0.02, wd 0, ρ 1→2, diminishing dual steps, {KktSettings.HessianSteps} steps";
        record.Config["dual_signal"] = "signed, λ projected (inequalities λ ≥ 0)";
        record.Notes.Add("Deterministic: no data and no randomness; the seed is recorded but unused.");

        var outcomes = new List<KktOutcome>();
        int total = KktProblem.All.Count * (KktSettings.GaltSteps + KktSettings.HessianSteps);
        using (var task = context.Progress.Start("KKT problems", total))
        {
            foreach (var problem in KktProblem.All)
            {
                task.Describe($"kkt-demo: {problem.Name}");
                outcomes.Add(KktRunner.RunGalt(problem, () => task.Advance(1)));
                outcomes.Add(KktRunner.RunHessian(problem, () => task.Advance(1)));
            }
        }

        var table = new ReportTable { Title = "Found vs exact", Columns = { "problem", "optimizer", "quantity", "found", "exact", "|error|" } };
        foreach (var o in outcomes)
        {
            for (int i = 0; i < o.X.Length; i++) table.Rows.Add(Row(o, $"x{i}", o.X[i], o.Problem.XStar[i]));
            for (int i = 0; i < o.Lambda.Length; i++) table.Rows.Add(Row(o, $"λ{i}", o.Lambda[i], o.Problem.LambdaStar[i]));
        }
        record.Tables.Add(table);
        record.Tables.Add(new ReportTable
        {
            Title = "Feasibility certificates (tolerance 1e-3)", Columns = { "problem", "optimizer", "constraint", "value C", "violation", "λ", "ρ", "feasible" },
            Rows = outcomes.SelectMany(o => o.Certificate.Rows.Select(r => new List<string>
            {
                o.Problem.Name, o.Optimizer, r.Name, Format(r.Value), Format(r.Violation), Format(r.Lambda), Format(r.Rho), r.Feasible ? "yes" : "NO",
            })).ToList(),
        });

        record.SetSummary("max_x_error", outcomes.Max(o => o.XError));
        record.SetSummary("max_lambda_error", outcomes.Max(o => o.LambdaError));
        foreach (var group in outcomes.GroupBy(o => o.Optimizer))
        {
            record.SetSummary($"{group.Key}.max_x_error", group.Max(o => o.XError));
            record.SetSummary($"{group.Key}.max_lambda_error", group.Max(o => o.LambdaError));
        }
        record.SetSummary("max_certificate_violation", outcomes.Max(o => o.Certificate.MaxViolation));

        var coupled = outcomes.Where(o => o.Problem == KktProblem.CoupledInequalities).ToArray();
        record.Plots.Add(Trajectory("lambda_trajectories.png", "λ on two coupled inequalities (λ* = 2/3, 8/3)", "λ", coupled, o => o.LambdaTrace));
        record.Plots.Add(Trajectory("violation_trajectories.png", "Violation max(0, C) on two coupled inequalities", "violation", coupled, o => o.ViolationTrace));
        record.TimingsSeconds["total"] = clock.Elapsed.TotalSeconds;
        return record;
    }

    private static List<string> Row(KktOutcome o, string quantity, double found, double exact) =>
        new() { o.Problem.Name, o.Optimizer, quantity, Format(found), Format(exact), Format(Math.Abs(found - exact)) };

    private static string Format(double v) => Math.Abs(v) < 1e-4 && v != 0 ? v.ToString("0.00e+0", CultureInfo.InvariantCulture) : v.ToString("0.######", CultureInfo.InvariantCulture);

    private static PlotSpec Trajectory(string file, string title, string yLabel, IEnumerable<KktOutcome> outcomes, Func<KktOutcome, double[][]> trace)
    {
        var spec = new PlotSpec { File = file, Title = title, XLabel = "step", YLabel = yLabel };
        foreach (var o in outcomes)
        {
            var series = trace(o);
            for (int i = 0; i < series[0].Length; i++)
            {
                // Every 5th step keeps result.json small; the curves look the same.
                var steps = Enumerable.Range(0, series.Length).Where(s => s % 5 == 0 || s == series.Length - 1).ToArray();
                spec.Lines.Add(new PlotLine { Label = $"{o.Optimizer} c{i}", X = steps.Select(s => (double)(s + 1)).ToList(), Y = steps.Select(s => series[s][i]).ToList() });
            }
        }
        return spec;
    }
}
