using Galt.Continual;

namespace Galt.Experiments.SafetyFromBirth;

/// <summary>One method on one seed.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Result">The harness's result: accuracy matrix, backward passes, training seconds, constraint trace, probes; null when the method failed.</param>
/// <param name="SafetyAfterWarmup">Safety accuracy the method started from.</param>
/// <param name="Seconds">Wall seconds including evaluation and probes.</param>
public sealed record SfbOutcome(string Method, int Seed, StrategyResult? Result, double SafetyAfterWarmup, double Seconds)
{
    /// <summary>Why the method stopped (a non-finite value), with its constraints' last recorded state; null when it finished.</summary>
    public string? Failure { get; init; }

    /// <summary>Probe name: safety accuracy on all prompts.</summary>
    public const string SafetyAccuracy = "safety_acc";

    /// <summary>Probe name: the safety KL constraint's C = KL_T − 0.02 on the replay prompts (every method, the same measure).</summary>
    public const string SafetyReplayC = "safety_c_replay";

    /// <summary>Probe name: the same on all prompts.</summary>
    public const string SafetyAllC = "safety_c_all";

    /// <summary>Final mean task accuracy (mean over tasks of R[T−1][j]).</summary>
    public double TaskAccuracy => Result!.AverageAccuracy;

    /// <summary>Final safety accuracy.</summary>
    public double SafetyAccuracyFinal => Result!.Probes[SafetyAccuracy][^1];

    /// <summary>Final C on the replay prompts.</summary>
    public double ReplayC => Result!.Probes[SafetyReplayC][^1];

    /// <summary>Final C on all prompts.</summary>
    public double AllC => Result!.Probes[SafetyAllC][^1];
}
