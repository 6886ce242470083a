using Galt.Constraints;
using System.Diagnostics;
using static TorchSharp.torch;

namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>One run of the grid: one cell, one method, one seed, trained step by step with a certificate after every step.</summary>
public static class GridRun
{
    /// <summary>
    /// Trains <paramref name="cell"/>'s problem for <paramref name="seed"/> with <paramref name="method"/> and returns its
    /// figures. After every step the constraint is measured afresh (the optimizers' <c>Certify()</c>; the baselines'
    /// <c>Value()</c>, the same measurement); only the forwards inside the step are counted as its evaluations. Any
    /// exception, a task loss or λ that is not finite or beyond <see cref="GridRunSettings.LossCeiling"/> /
    /// <see cref="GridRunSettings.LambdaCeiling"/>, or a non-finite parameter stops the run as diverged. Same arguments,
    /// same figures (on the same machine).
    /// </summary>
    public static GridRunMetrics Run(GridCell cell, GridMethod method, int seed, GridRunSettings? settings = null)
    {
        settings ??= new GridRunSettings();
        if (settings.Steps < 1) throw new ArgumentOutOfRangeException(nameof(settings), $"a grid run needs at least one step; got {settings.Steps}.");
        var tolerance = settings.Limits;
        var clock = Stopwatch.StartNew();
        using var runScope = NewDisposeScope();
        using var problem = GridProblem.Create(cell, seed);
        var kind = problem.Constraint.Kind;
        double lossStart = problem.TaskLossValue();
        var steps = new List<GridStepRecord>(settings.Steps);
        string? divergence = null;
        bool stoppedEarly = false;
        int allowed = tolerance.AllowedInfeasibleSteps(settings.PostWarmupSteps), infeasible = 0;
        using (var stepper = GridStepper.Create(method, problem, cell.LearningRate))
        {
            for (int step = 1; step <= settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                double loss, value, lambda;
                long evaluations;
                try
                {
                    long before = problem.Counted.Forwards;
                    loss = stepper.Step();
                    evaluations = problem.Counted.Forwards - before;
                    value = stepper.Value();    // the certificate: measured, not counted as the step's
                    lambda = stepper.Lambda;
                }
                catch (Exception e)
                {
                    divergence = $"{e.GetType().Name} at step {step}: {e.Message}";
                    break;
                }
                double violation = kind.Violation(value);
                bool bad = tolerance.Infeasible(kind, value);
                steps.Add(new GridStepRecord(step, loss, value, violation, bad, lambda, evaluations));
                divergence = Divergence(step, loss, value, lambda, problem);
                if (divergence is not null) break;
                if (bad && step > settings.WarmupSteps && ++infeasible > allowed && settings.StopWhenNotHolding)
                {
                    stoppedEarly = true;
                    break;
                }
            }
        }
        double lossEnd = double.NaN;
        try { lossEnd = problem.TaskLossValue(); }
        catch (Exception e) { divergence ??= $"{e.GetType().Name} evaluating the final task loss: {e.Message}"; }
        if (divergence is null && !(Math.Abs(lossEnd) <= GridRunSettings.LossCeiling)) divergence = $"final task loss {lossEnd}";
        return new GridRunMetrics
        {
            Cell = cell, Method = method, Seed = seed, StepsPlanned = settings.Steps, PostWarmupSteps = settings.PostWarmupSteps,
            Margin = problem.Margin, StartMeasure = problem.StartMeasure, Steps = steps, TaskLossStart = lossStart, TaskLossEnd = lossEnd,
            EndValue = steps.Count == 0 ? double.NaN : steps[^1].Value, Diverged = divergence is not null, DivergenceReason = divergence,
            StoppedEarly = stoppedEarly, WallSeconds = clock.Elapsed.TotalSeconds, Tolerance = tolerance,
        };
    }

    /// <summary>Why the run diverged at this step, or null.</summary>
    private static string? Divergence(int step, double loss, double value, double lambda, GridProblem problem)
    {
        if (!(Math.Abs(loss) <= GridRunSettings.LossCeiling)) return $"task loss {loss} at step {step}";
        if (!(Math.Abs(lambda) <= GridRunSettings.LambdaCeiling)) return $"λ {lambda} at step {step}";
        if (!double.IsFinite(value)) return $"constraint value {value} at step {step}";
        using var noGrad = no_grad();
        foreach (var (name, parameter) in problem.Parameters)
            if (!parameter.isfinite().all().item<bool>()) return $"parameter '{name}' not finite after step {step}";
        return null;
    }
}
