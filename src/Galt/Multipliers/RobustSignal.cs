namespace Galt.Multipliers;

/// <summary>
/// Quantile-guided Huber clipping of the signal fed to a multiplier update, after RQ-TTSA (arXiv 2606.22436):
/// keep the magnitudes of the last <see cref="Window"/> signals; once <see cref="MinimumSamples"/> are known, clip the
/// new signal to ±(their <see cref="Quantile"/>-quantile), Huber's ψ. Heavy-tailed noise then moves λ by bounded amounts.
/// </summary>
/// <param name="Window">Signals remembered (W).</param>
/// <param name="Quantile">Clipping quantile q in (0, 1].</param>
/// <param name="MinimumSamples">Signals seen before clipping starts.</param>
public sealed record RobustSignalOptions(int Window = 50, double Quantile = 0.9, int MinimumSamples = 10)
{
    /// <summary>Throws when an option is out of range.</summary>
    public void Validate(string owner)
    {
        if (Window < 1 || MinimumSamples < 1 || MinimumSamples > Window || !(Quantile > 0 && Quantile <= 1))
            throw new ArgumentException($"{owner}: robust signal needs window ≥ 1, 1 ≤ minimum samples ≤ window, quantile in (0, 1]; got window {Window}, minimum {MinimumSamples}, quantile {Quantile}.");
    }
}

/// <summary>The rolling window of one constraint's signal magnitudes.</summary>
internal sealed class RobustSignalWindow
{
    private readonly Queue<double> _magnitudes = new();

    /// <summary>Creates an empty window.</summary>
    public RobustSignalWindow(RobustSignalOptions options) => Options = options;

    /// <summary>The options.</summary>
    public RobustSignalOptions Options { get; }

    /// <summary>Clips <paramref name="signal"/> at the current quantile threshold, then remembers its magnitude.</summary>
    public double Filter(double signal)
    {
        double result = signal;
        if (_magnitudes.Count >= Options.MinimumSamples)
        {
            double threshold = QuantileOf(_magnitudes.ToArray(), Options.Quantile);
            result = Math.Clamp(signal, -threshold, threshold);
        }
        if (_magnitudes.Count == Options.Window) _magnitudes.Dequeue();
        _magnitudes.Enqueue(Math.Abs(signal));
        return result;
    }

    /// <summary>The remembered magnitudes, oldest first.</summary>
    public IReadOnlyList<double> Magnitudes => _magnitudes.ToArray();

    /// <summary>A window holding <paramref name="magnitudes"/> (oldest first), e.g. restored from a checkpoint.</summary>
    public static RobustSignalWindow Of(RobustSignalOptions options, IEnumerable<double> magnitudes)
    {
        var window = new RobustSignalWindow(options);
        foreach (var m in magnitudes) window._magnitudes.Enqueue(m);
        return window;
    }

    /// <summary>Writes the options and the remembered magnitudes.</summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Doubles("robust_options", new[] { Options.Window, Options.Quantile, Options.MinimumSamples });
        writer.Doubles("robust", Magnitudes);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, checking the options and the window's length; <paramref name="owner"/> names it in errors.</summary>
    public static RobustSignalWindow Read(Galt.Checkpoints.CheckpointReader reader, string owner)
    {
        var o = reader.Doubles("robust_options");
        if (o.Length != 3) throw reader.Error("robust_options", $"{o.Length} values where 3 were expected.");
        var options = new RobustSignalOptions((int)o[0], o[1], (int)o[2]);
        try { options.Validate(owner); }
        catch (ArgumentException e) { throw reader.Error("robust_options", e.Message); }
        var magnitudes = reader.Doubles("robust");
        if (magnitudes.Length > options.Window) throw reader.Error("robust", $"{magnitudes.Length} values for a window of {options.Window}.");
        return Of(options, magnitudes);
    }

    /// <summary>A copy.</summary>
    public RobustSignalWindow Clone()
    {
        var copy = new RobustSignalWindow(Options);
        foreach (var m in _magnitudes) copy._magnitudes.Enqueue(m);
        return copy;
    }

    /// <summary>Linear-interpolated q-quantile (numpy's default).</summary>
    public static double QuantileOf(double[] values, double q)
    {
        Array.Sort(values);
        double position = q * (values.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, values.Length - 1);
        return values[lower] + (position - lower) * (values[upper] - values[lower]);
    }
}
