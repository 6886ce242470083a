namespace Galt.Experiments.Benchmarks;

/// <summary>
/// The memory readings of one long run and what they say: the first <see cref="WarmupSteps"/> steps are warm-up
/// (allocator pools, Adam and anchor state, libtorch's caches fill there); after it, resident memory should stay flat.
/// Drift = (largest resident set after warm-up − resident set at the end of warm-up) / resident set at the end of warm-up.
/// </summary>
public sealed class MemoryTrace
{
    private readonly List<MemorySample> _samples = new();

    /// <summary>Creates an empty trace of a run of <paramref name="steps"/> steps sampled every <paramref name="every"/>.</summary>
    public MemoryTrace(string label, int steps, int every, int warmupSteps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"a memory trace needs at least one step; got {steps}.");
        if (every < 1 || every > steps) throw new ArgumentOutOfRangeException(nameof(every), $"sampling interval must be in [1, {steps}]; got {every}.");
        if (warmupSteps < 0 || warmupSteps >= steps) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warm-up must be in [0, {steps}); got {warmupSteps}.");
        Label = label; Steps = steps; Every = every; WarmupSteps = warmupSteps;
    }

    /// <summary>Which run, e.g. <c>GaltOptimizer</c>.</summary>
    public string Label { get; }

    /// <summary>Steps of the run.</summary>
    public int Steps { get; }

    /// <summary>Steps between readings.</summary>
    public int Every { get; }

    /// <summary>Steps counted as warm-up.</summary>
    public int WarmupSteps { get; }

    /// <summary>
    /// Whether the run's tensors are all made and disposed on the sampling thread, so that
    /// <see cref="MemorySample.UndisposedTensors"/> means something (false when steps run on worker threads, which may
    /// dispose on one thread what another made).
    /// </summary>
    public bool CountsUndisposed { get; init; } = true;

    /// <summary>Wall seconds of the run, sampling included.</summary>
    public double Seconds { get; set; }

    /// <summary>The readings, in step order.</summary>
    public IReadOnlyList<MemorySample> Samples => _samples;

    /// <summary>Whether a reading is due after <paramref name="step"/> steps: at 0, every <see cref="Every"/>, at the end of warm-up and at the end.</summary>
    public bool Due(int step) => step % Every == 0 || step == WarmupSteps || step == Steps;

    /// <summary>Appends a reading; steps must increase.</summary>
    public void Add(MemorySample sample)
    {
        if (_samples.Count > 0 && sample.Step <= _samples[^1].Step)
            throw new ArgumentException($"memory trace '{Label}': reading at step {sample.Step} after one at step {_samples[^1].Step}.", nameof(sample));
        _samples.Add(sample);
    }

    /// <summary>The reading at the end of warm-up.</summary>
    public MemorySample AtWarmupEnd => _samples.FirstOrDefault(s => s.Step >= WarmupSteps)
                                       ?? throw new InvalidOperationException($"memory trace '{Label}' has no reading at or after step {WarmupSteps}.");

    /// <summary>The readings from the end of warm-up on.</summary>
    public IEnumerable<MemorySample> AfterWarmup => _samples.Where(s => s.Step >= WarmupSteps);

    /// <summary>The last reading.</summary>
    public MemorySample Final => _samples.Count > 0 ? _samples[^1] : throw new InvalidOperationException($"memory trace '{Label}' is empty.");

    /// <summary>Largest resident set from the end of warm-up on.</summary>
    public long MaxResidentAfterWarmup => AfterWarmup.Max(s => s.ResidentBytes);

    /// <summary>Largest managed heap from the end of warm-up on.</summary>
    public long MaxManagedAfterWarmup => AfterWarmup.Max(s => s.ManagedBytes);

    /// <summary>Largest C heap in use from the end of warm-up on (−1 where unavailable).</summary>
    public long MaxNativeHeapAfterWarmup => AfterWarmup.Max(s => s.NativeHeapBytes);

    /// <summary>(max resident after warm-up − resident at warm-up end) / resident at warm-up end.</summary>
    public double Drift => (MaxResidentAfterWarmup - AtWarmupEnd.ResidentBytes) / (double)AtWarmupEnd.ResidentBytes;

    /// <summary>Whether <see cref="Drift"/> is within <paramref name="tolerance"/> (a fraction, e.g. 0.05).</summary>
    public bool Flat(double tolerance) => Drift <= tolerance;
}
