namespace Galt.Continual;

/// <summary>
/// The release's refresh scheduler for the low-BP hybrid (spec §1.4): a global (full-backprop) step when any constraint
/// value exceeds the trigger or the refresh period has elapsed since the last global step; otherwise a local step.
/// </summary>
/// <param name="RefreshPeriod">Steps between global refreshes.</param>
/// <param name="Trigger">|C| above which a global step is forced.</param>
/// <param name="Adaptive">Lengthen the period while constraints stay safely below the trigger.</param>
/// <param name="AdaptiveIncrement">Period increase per safe step.</param>
/// <param name="AdaptiveMaxPeriod">Longest period.</param>
/// <param name="AdaptiveSafeRatio">"Safe" means max |C| ≤ trigger × this.</param>
public sealed record RefreshSchedule(int RefreshPeriod = 10, double Trigger = 0.3, bool Adaptive = false, int AdaptiveIncrement = 2, int AdaptiveMaxPeriod = 24, double AdaptiveSafeRatio = 0.5);

/// <summary>State of a <see cref="RefreshSchedule"/> and its global/local step counts.</summary>
public sealed class RefreshScheduler : Galt.Checkpoints.ICheckpointable
{
    private int _stepsSinceGlobal, _safeStreak;
    private bool _requested;

    /// <summary>Creates the scheduler.</summary>
    public RefreshScheduler(RefreshSchedule? schedule = null) => Schedule = schedule ?? new RefreshSchedule();

    /// <summary>The settings.</summary>
    public RefreshSchedule Schedule { get; }

    /// <summary>Global (full-backprop) steps taken.</summary>
    public int GlobalSteps { get; private set; }

    /// <summary>Local-only steps taken.</summary>
    public int LocalSteps { get; private set; }

    /// <summary>Fraction of steps that were global.</summary>
    public double GlobalRatio => GlobalSteps + LocalSteps == 0 ? 0 : (double)GlobalSteps / (GlobalSteps + LocalSteps);

    /// <summary>Longest effective period seen.</summary>
    public int MaxEffectivePeriod { get; private set; }

    /// <summary>Refreshes requested by <see cref="RequestRefresh"/> (each made the next step global).</summary>
    public int RequestedRefreshes { get; private set; }

    /// <summary>
    /// Makes the next step global: what a strategy asks when a local step's cached Jacobian rows could not hold the
    /// constraints (the step contract had to shorten or hold it).
    /// </summary>
    public void RequestRefresh()
    {
        if (!_requested) RequestedRefreshes++;
        _requested = true;
    }

    /// <summary>Writes the counters (steps since the last refresh, safe streak, global and local steps, largest period, a pending request, requests).</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer) =>
        writer.Longs("counters", new long[] { _stepsSinceGlobal, _safeStreak, GlobalSteps, LocalSteps, MaxEffectivePeriod, _requested ? 1 : 0, RequestedRefreshes });

    /// <summary>Reads what <see cref="Save"/> wrote; the returned action restores the counters.</summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var c = reader.Longs("counters");
        if (c.Length != 7 || c.Any(v => v < 0 || v > int.MaxValue)) throw reader.Error("counters", "not seven non-negative counters.");
        return () => (_stepsSinceGlobal, _safeStreak, GlobalSteps, LocalSteps, MaxEffectivePeriod, _requested, RequestedRefreshes) =
            ((int)c[0], (int)c[1], (int)c[2], (int)c[3], (int)c[4], c[5] != 0, (int)c[6]);
    }

    /// <summary>spec §1.4 needs_refresh: true when this step must be global.</summary>
    public bool NeedsRefresh(IReadOnlyList<double> constraintValues)
    {
        _stepsSinceGlobal++;
        double maxC = constraintValues.Count == 0 ? 0 : constraintValues.Max(Math.Abs);
        if (_requested) return true;
        if (maxC > Schedule.Trigger)
        {
            _safeStreak = 0;
            return true;
        }
        int period = Schedule.RefreshPeriod;
        if (Schedule.Adaptive)
        {
            _safeStreak = maxC <= Schedule.Trigger * Schedule.AdaptiveSafeRatio ? _safeStreak + 1 : 0;
            period = Math.Min(Schedule.AdaptiveMaxPeriod, Schedule.RefreshPeriod + _safeStreak * Schedule.AdaptiveIncrement);
        }
        MaxEffectivePeriod = Math.Max(MaxEffectivePeriod, period);
        return _stepsSinceGlobal >= period;
    }

    /// <summary>spec §1.4 mark_step.</summary>
    public void MarkStep(bool global)
    {
        if (global)
        {
            _requested = false;
            GlobalSteps++;
            _stepsSinceGlobal = 0;
            _safeStreak = 0;
        }
        else LocalSteps++;
    }
}
