using Galt.Channels;

namespace Galt.Experiments.TypedChannels;

/// <summary>One configuration × seed of the typed-channels experiment.</summary>
/// <param name="Config">The configuration's name.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Pre">Normal-mode metrics before training.</param>
/// <param name="Post">The full evaluation after training.</param>
/// <param name="Steps">Every step's record.</param>
/// <param name="Checks">The success checks of spec §5.6 by name.</param>
/// <param name="ParameterCounts">Trainable scalars per block.</param>
/// <param name="Refreshes">Route-target refreshes.</param>
/// <param name="Seconds">Wall time: total, training, evaluation.</param>
public sealed record TypedChannelOutcome(string Config, int Seed, IReadOnlyDictionary<string, double> Pre, IReadOnlyDictionary<string, double> Post,
    IReadOnlyList<ChannelStepRecord> Steps, IReadOnlyDictionary<string, bool> Checks, IReadOnlyList<long> ParameterCounts, int Refreshes,
    (double Total, double Train, double Evaluate) Seconds)
{
    /// <summary>overall_pass: every success check holds.</summary>
    public bool OverallPass => Checks.Values.All(c => c);

    /// <summary>Mean seconds per GALT step.</summary>
    public double SecondsPerStep => Steps.Count == 0 ? 0 : Steps.Average(s => s.Seconds);
}
