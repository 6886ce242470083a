using System.Diagnostics;
using System.Globalization;
using Galt.Experiments.Reporting;
using TorchSharp;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>
/// <c>galt bench constraints</c>: the constraint-holding grid. In every cell (constraint kind × model × learning rate ×
/// margin) a full-batch task pushes against the constraint; Galt's two constrained optimizers, with default options but
/// the learning rate, must hold it after every step, as a certificate measures it. Two baselines run at equal
/// feasibility: a soft penalty and plain gradient ascent on λ, each at the smallest weight that holds. Summary keys
/// <c>cells</c>, <c>cells_all_held</c>, <c>max_share_infeasible.&lt;method&gt;</c>, <c>runs_diverged</c>,
/// <c>runs_ending_infeasible</c>, <c>lambda_zero_violations</c>, <c>extra_evals_per_step.max</c>,
/// <c>cells_loss_not_worse_than_penalty</c>, and per learning rate <c>share_infeasible.&lt;method&gt;.lr_&lt;lr&gt;</c>.
/// </summary>
public sealed class ConstraintGridBenchmark : IRunnable
{
    /// <inheritdoc />
    public string Name => "constraints";

    /// <inheritdoc />
    public string Description => "Constraint-holding grid: do galt and hessian hold KL/forbidden/inequality/equality constraints at every step on mlp/lora/transformer at lr 1e-4…3e-2, vs a soft penalty and gradient ascent at equal feasibility (summary cells_all_held, max_share_infeasible.<method>).";

    /// <inheritdoc />
    public bool AcceptsOption(string option) => option is "seeds" or "variant" or "steps";

    /// <inheritdoc />
    public object? OptionDefault(string option, RunContext context) => option switch
    {
        "seeds" => DefaultSeeds(context.Quick),
        "steps" => DefaultSteps(context.Quick),
        _ => null,
    };

    private static int DefaultSeeds(bool quick) => quick ? 1 : 2;

    private static int DefaultSteps(bool quick) => quick ? GridRunSettings.QuickSteps : GridRunSettings.DefaultSteps;

    /// <summary>
    /// libtorch intra-op threads while the grid runs. Its tensors are tiny (16-wide layers, 16 and 32 examples), where
    /// more threads only add synchronisation, and on a machine whose cores are shared an OpenMP team with a descheduled
    /// member stalls every operation: measured on 2 cores beside another busy process, one transformer run took 34 s
    /// with libtorch's default 2 threads and 4.9 s with 1.
    /// </summary>
    public const int TorchThreads = 1;

    /// <inheritdoc />
    public RunRecord Run(RunContext context)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(TorchThreads);
        try
        {
            return RunGrid(context);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private RunRecord RunGrid(RunContext context)
    {
        var clock = Stopwatch.StartNew();
        var selection = GridSelection.For(context.Quick, context.Variant);
        int seedCount = context.SeedCountGiven ? context.SeedCount : DefaultSeeds(context.Quick);
        var seeds = Enumerable.Range(context.Seed, seedCount).ToList();
        var settings = new GridRunSettings(context.Steps ?? DefaultSteps(context.Quick));
        bool bracketOnly = context.Quick;
        var cells = selection.Cells();

        var record = new RunRecord { Experiment = Name, Kind = "benchmark", Title = "Constraint-holding grid: do the constrained optimizers hold a constraint at every step?", StartedUtc = DateTime.UtcNow, Seeds = seeds };
        Configure(record, selection, settings, bracketOnly, cells.Count);

        var results = new List<GridCellResult>();
        var seconds = new Dictionary<GridMethodKind, double>();
        using (var bar = context.Progress.Start("Benchmark constraints: cells × methods", cells.Count * selection.Methods.Count))
            foreach (var cell in cells)
            {
                var optimizers = new Dictionary<GridMethodKind, IReadOnlyList<GridRunMetrics>>();
                var baselines = new Dictionary<GridMethodKind, GridBaselineResult>();
                foreach (var method in selection.Methods)
                {
                    bar.Describe($"constraints: {cell.Label}, {GridAxes.Name(method)}");
                    var methodClock = Stopwatch.StartNew();
                    if (method is GridMethodKind.Galt or GridMethodKind.Hessian)
                        optimizers[method] = seeds.Select(seed => GridRun.Run(cell, new GridMethod(method), seed, settings)).ToList();
                    else
                        baselines[method] = GridBaselineSearch.Find(cell, method, seeds, settings, bracketOnly);
                    seconds[method] = seconds.GetValueOrDefault(method) + methodClock.Elapsed.TotalSeconds;
                    bar.Advance(1);
                }
                results.Add(new GridCellResult(cell, optimizers, baselines));
            }

        ConstraintGridReport.Write(record, results, selection, seedCount);
        foreach (var (method, s) in seconds) record.TimingsSeconds[GridAxes.Name(method)] = s;
        record.TimingsSeconds["total"] = clock.Elapsed.TotalSeconds;
        return record;
    }

    private static void Configure(RunRecord record, GridSelection selection, GridRunSettings settings, bool bracketOnly, int cellCount)
    {
        var tolerance = settings.Limits;
        record.Config["cells"] = cellCount;
        record.Config["kinds"] = string.Join(", ", selection.Kinds.Select(GridAxes.Name));
        record.Config["models"] = string.Join(", ", selection.Models.Select(GridAxes.Name));
        record.Config["learning_rates"] = string.Join(", ", selection.LearningRates.Select(GridAxes.Name));
        record.Config["methods"] = string.Join(", ", selection.Methods.Select(GridAxes.Name));
        record.Config["model_definitions"] = GridModels.Description;
        record.Config["task"] = $"full batch of {GridProblem.TaskPoints} task inputs, the same every step; the constraint on {GridProblem.ConstraintPoints} other inputs; " +
            "kl: cross-entropy to random labels vs KlRetentionConstraint (T = 1, anchor snapshotted at the start), margins 0.001, 0.01; " +
            $"forbidden: cross-entropy to class 0 vs ForbiddenMassConstraint (class 0 forbidden, T_lse {GridProblem.ForbiddenTemperature}), margin = K₀ + 0.01, 0.05 (K₀ the smooth mass at the start); " +
            "inequality: cross-entropy to random labels vs FunctionConstraint mean(logits²) ≤ K₀ × 1.05, 1.5; " +
            "equality: cross-entropy to class 0 vs FunctionConstraint mean(class-0 logit) − its start value = 0.05, 0.2 (starts infeasible by the margin)";
        record.Config["torch_threads"] = $"{TorchThreads} libtorch intra-op thread while the grid runs (tiny tensors; see ConstraintGridBenchmark.TorchThreads)";
        record.Config["steps"] = settings.Steps;
        record.Config["warmup_steps"] = settings.WarmupSteps;
        record.Config["tolerance"] = string.Create(CultureInfo.InvariantCulture,
            $"infeasible: inequality C > {tolerance.Inequality}, equality |C| > {tolerance.Equality}; a run holds with ≤ {tolerance.FeasibleShare:P0} of post-warm-up steps infeasible and a feasible final certificate");
        record.Config["optimizers"] = "GaltOptimizer(new GaltOptions { LearningRate = lr }) and AlHessianOptimizer(new AlHessianOptions { LearningRate = lr }): default options otherwise; AddConstraint, Step(taskLoss), Certify() after every step";
        record.Config["baselines"] = $"AdamW(lr, weight decay {SoftPenaltyStepper.WeightDecay}): soft penalty L + w·K (kl, forbidden, inequality) or L + w·C² (equality); gradient ascent L + λ·C, λ ← max(0, λ + η·C) (equality: free sign)";
        record.Config["baseline_search"] = (bracketOnly ? "×4 bracketing only" : $"×4 bracketing, then log-space bisection to a bracket ratio ≤ {GridBaselineSearch.BracketRatio}")
            + $" from {GridBaselineSearch.Start} to the cap {GridBaselineSearch.Cap} (4^10); a weight holds when every seed's run holds; a search run stops once it cannot hold, and later seeds are skipped once one fails";
        record.Config["evaluation_counting"] = "forward passes through a counting wrapper of the model that the constraint is built on (batched Jacobians and Measure() both run it once per evaluation); "
            + $"counted inside Step() only (certificates excluded); extra = total − {GridRunMetrics.JacobianEvaluationsPerStep} (the Jacobian's, or the baselines' penalty term's, forward)";
        record.Config["divergence"] = $"any exception (type and message kept), task loss or |λ| not finite or above {GridRunSettings.LossCeiling:G} / {GridRunSettings.LambdaCeiling:G}, or a non-finite parameter: the run stops; its untaken post-warm-up steps count as infeasible";
        record.Notes.Add("Every figure is per run and then averaged over seeds (counts are k/seeds). 'Share infeasible' counts post-warm-up steps whose certificate (C measured afresh after the step) is beyond the tolerance.");
        record.Notes.Add("Baseline rows show the runs at the smallest holding weight; when no weight up to the cap holds, the cap's runs (run in full) are shown with 'none ≤ cap'. A holding weight's share of infeasible steps is ≤ 1 % by construction: the comparison is at equal feasibility, in task loss.");
        record.Notes.Add("The plot averages, per method and learning rate, the runs the tables show: baselines at their smallest holding weight, or at the cap where none holds.");
        record.Notes.Add("'λ end' and 'task loss end' are means over the runs that did not diverge ('—' when every seed diverged): a diverged run's last λ or loss is as large as what stopped it. "
            + "Shares of infeasible steps and violations include diverged runs (their untaken post-warm-up steps count as infeasible). Means skip values that are not finite.");
    }
}
