namespace Galt.Experiments.Benchmarks.ConstraintGrid;

/// <summary>How long a grid run trains, what counts as infeasible, and whether it may stop once it cannot hold.</summary>
/// <param name="Steps">Training steps (full grid 300, <c>--quick</c> 100).</param>
/// <param name="Tolerance">Infeasibility tolerances and the share of infeasible steps a holding run may have.</param>
/// <param name="StopWhenNotHolding">
/// Stop as soon as more post-warm-up steps were infeasible than <see cref="GridTolerance.FeasibleShare"/> allows:
/// the run's verdict (does not hold) is then known, and the baseline searches need nothing else from it. Its figures
/// cover only the steps taken.
/// </param>
public sealed record GridRunSettings(int Steps = GridRunSettings.DefaultSteps, GridTolerance? Tolerance = null, bool StopWhenNotHolding = false)
{
    /// <summary>Steps of the full grid.</summary>
    public const int DefaultSteps = 300;

    /// <summary>Steps of <c>--quick</c>.</summary>
    public const int QuickSteps = 100;

    /// <summary>The share of steps counted as warm-up (not in the post-warm-up figures).</summary>
    public const double WarmupFraction = 0.2;

    /// <summary>The tolerances in effect.</summary>
    public GridTolerance Limits => Tolerance ?? GridTolerance.Default;

    /// <summary>Warm-up steps: the first 20 % (60 of 300).</summary>
    public int WarmupSteps => (int)Math.Round(WarmupFraction * Steps);

    /// <summary>Steps after the warm-up.</summary>
    public int PostWarmupSteps => Steps - WarmupSteps;

    /// <summary>Divergence: a task loss above this (or not finite).</summary>
    public const double LossCeiling = 1e6;

    /// <summary>Divergence: |λ| above this (or not finite).</summary>
    public const double LambdaCeiling = 1e8;
}
