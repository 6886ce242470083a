namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// Weights of the GALT-stream loss terms (spec §6.6). The release's runs: every term 1, layer heads on (1, 1, 1),
/// violation-layer class weights on. Its script defaults set the three layer weights to 0.
/// </summary>
public sealed record CurriculumLossWeights
{
    /// <summary>Weight of the whole GALT stream.</summary>
    public double Galt { get; init; } = 1;

    /// <summary>Memory-layer head (masked CE).</summary>
    public double MemoryLayer { get; init; } = 1;

    /// <summary>Violation-layer head (masked, class-weighted CE).</summary>
    public double ViolationLayer { get; init; } = 1;

    /// <summary>Direct hierarchical-access head (masked CE).</summary>
    public double Access { get; init; } = 1;
}
