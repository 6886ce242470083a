using Galt.Experiments;
using Galt.Experiments.Benchmarks.ConstraintGrid;

namespace Galt.Tests.Experiments;

public class ConstraintGridTests
{
    private static readonly GridRunSettings Short = new(Steps: 20);

    [Fact]
    public void ARelaxedConstraintIsNeverInfeasibleAndEveryStepEvaluatesItOnceForTheJacobianAndOnceForTheContract()
    {
        // K ≤ 1000·K₀ (inequality, autograd path) and KL ≤ 10 (batched path): the task cannot reach either bound in 20 steps.
        foreach (var cell in new[] { new GridCell(GridConstraintKind.Inequality, GridModelKind.Mlp, 1e-3, 1000), new GridCell(GridConstraintKind.Kl, GridModelKind.Mlp, 1e-3, 10) })
            foreach (var method in new[] { GridMethod.Galt, GridMethod.Hessian })
            {
                var run = GridRun.Run(cell, method, seed: 3, Short);
                string what = $"{cell.Label}, {method.Label}";
                Assert.False(run.Diverged, what + ": " + run.DivergenceReason);
                Assert.Equal(20, run.StepsTaken);
                Assert.Equal(16, run.PostWarmupSteps);
                Assert.Equal(0, run.ShareInfeasible);
                Assert.True(run.EndsFeasible, what);
                Assert.True(run.Holds, what);
                Assert.Equal(0, run.LambdaZeroViolations);
                Assert.Equal(0, run.LambdaEnd);   // never active: complementarity keeps λ at 0
                Assert.All(run.Steps, s => Assert.True(s.Value < 0, what));
                // Two forwards over the constraint's inputs per step: the Jacobian's, and the step contract's measurement
                // after the write (the common case: the step was inside). The certificate after each step is not counted.
                Assert.All(run.Steps, s => Assert.Equal(2, s.Evaluations));
                Assert.Equal(2, run.EvaluationsPerStep);
                Assert.Equal(1, run.ExtraEvaluationsPerStep);
                Assert.True(run.TaskLossEnd < run.TaskLossStart, what);
            }
    }

    [Fact]
    public void InfeasibleStepsViolationsAndLambdaZeroAreCountedFromTheStepsAndTheSameSeedGivesTheSameNumbers()
    {
        // Equality, soft penalty with w = 0: nothing holds the constraint, the task pushes class 0's logit past the margin.
        var cell = new GridCell(GridConstraintKind.Equality, GridModelKind.Mlp, 1e-2, 0.05);
        var run = GridRun.Run(cell, GridMethod.SoftPenalty(0), seed: 1, Short);
        Assert.False(run.Diverged, run.DivergenceReason);
        Assert.Equal(0.05, run.Margin);
        Assert.Equal(-0.05, run.Steps[0].Value, 1);   // starts infeasible by the margin (one step in)
        var post = run.Steps.Where(s => s.Step > 4).ToList();
        Assert.Equal(post.Count(s => Math.Abs(s.Value) > GridTolerance.Default.Equality), run.InfeasibleSteps);
        Assert.Equal(run.InfeasibleSteps / 16.0, run.ShareInfeasible);
        Assert.True(run.ShareInfeasible > 0.5, $"share {run.ShareInfeasible}");
        Assert.Equal(post.Average(s => Math.Abs(s.Value)), run.MeanViolation, 12);
        Assert.Equal(post.Max(s => Math.Abs(s.Value)), run.MaxViolation);
        Assert.Equal(run.InfeasibleSteps, run.LambdaZeroViolations);   // its λ is its weight, 0
        Assert.False(run.Holds);
        Assert.All(run.Steps, s => Assert.Equal(1, s.Evaluations));   // the penalty term's forward

        var again = GridRun.Run(cell, GridMethod.SoftPenalty(0), seed: 1, Short);
        Assert.Equal(run.Steps, again.Steps);
        Assert.Equal(run.TaskLossEnd, again.TaskLossEnd);
        var other = GridRun.Run(cell, GridMethod.SoftPenalty(0), seed: 2, Short);
        Assert.NotEqual(run.TaskLossEnd, other.TaskLossEnd);

        // A run that may stop once it cannot hold stops at its first infeasible post-warm-up step: 1 % of 16 allows none.
        var stopped = GridRun.Run(cell, GridMethod.SoftPenalty(0), seed: 1, Short with { StopWhenNotHolding = true });
        Assert.True(stopped.StoppedEarly);
        Assert.Equal(1, stopped.InfeasibleSteps);
        Assert.False(stopped.Holds);
    }

    [Fact]
    public void TheBenchmarkRunsAFilteredQuickGridWithBaselineSearchesAndItsSummaryKeys()
    {
        var benchmark = Catalog.Find(Catalog.Benchmarks, "constraints");
        Assert.IsType<ConstraintGridBenchmark>(benchmark);
        Assert.Throws<ArgumentException>(() => GridSelection.For(quick: true, "kl,nosuchaxis"));
        var selection = GridSelection.For(quick: false, "inequality,mlp,1e-3");
        Assert.Equal(2, selection.Cells().Count);   // two margins
        Assert.Equal(GridAxes.Methods, selection.Methods);

        var context = RunContext.Silent(seed: 0, quick: true) with { Variant = "inequality,galt,penalty", Steps = 10 };
        var record = benchmark!.Run(context);
        Assert.Equal(4, record.Summary["cells"]);   // quick: mlp, lr 1e-3 and 1e-2, two margins
        foreach (var key in new[] { "cells_all_held", "max_share_infeasible.galt", "max_share_infeasible.penalty", "runs_diverged", "runs_ending_infeasible",
                     "lambda_zero_violations", "extra_evals_per_step.max", "cells_loss_not_worse_than_penalty", "share_infeasible.galt.lr_1e-3", "search_runs.penalty" })
            Assert.True(record.Summary.ContainsKey(key), key);
        // The galt runs' contract measures once per step, more when it corrects or halves one.
        Assert.InRange(record.Summary["extra_evals_per_step.max"], 1, 1 + new Galt.Optim.StepContract().MaxCorrections + new Galt.Optim.StepContract().MaxHalvings);
        Assert.True(record.Summary["search_runs.penalty"] >= 4);
        Assert.Single(record.Plots);
        Assert.Contains(record.Tables, t => t.Title.StartsWith("inequality:", StringComparison.Ordinal) && t.Rows.Count == 8);   // 4 cells × (galt, penalty)
    }

    [Fact]
    public void EveryConstraintKindHoldsAtEveryStepWhenTheTaskPushesAgainstItAtLargeLearningRates()
    {
        // The grid's fast subset: each kind on the MLP at its tighter margin, lr 1e-2 and 3e-2, both optimizers, default
        // options: at most 1 % of post-warm-up steps infeasible, feasible at the end, λ > 0 whenever a step ended violated.
        var settings = new GridRunSettings(Steps: 60);
        foreach (var kind in Enum.GetValues<GridConstraintKind>())
            foreach (double lr in new[] { 1e-2, 3e-2 })
                foreach (var method in new[] { GridMethod.Galt, GridMethod.Hessian })
                {
                    var cell = new GridCell(kind, GridModelKind.Mlp, lr, GridAxes.MarginSettings(kind)[0]);
                    var run = GridRun.Run(cell, method, seed: 5, settings);
                    string what = $"{cell.Label}, {method.Label}";
                    Assert.False(run.Diverged, what + ": " + run.DivergenceReason);
                    Assert.True(run.Holds, $"{what}: {run.ShareInfeasible:P1} of post-warm-up steps infeasible, max violation {run.MaxViolation:G3}");
                    Assert.True(run.EndsFeasible, what);
                    Assert.Equal(0, run.LambdaZeroViolations);
                }
    }
}
