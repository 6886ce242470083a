namespace Galt.Channels;

/// <summary>Settings of a <see cref="RoutedCarrier"/> (spec §5.2, §5.5).</summary>
public sealed record RoutedCarrierOptions
{
    /// <summary>P: policies per block = experts per block = output heads per branch = options per item.</summary>
    public int Policies { get; init; } = 4;

    /// <summary>Consecutive carrier layers per macro-block (the last block takes the remainder).</summary>
    public int BlockSize { get; init; } = 4;

    /// <summary>Rank of each expert's down/up projection.</summary>
    public int ExpertRank { get; init; } = 16;

    /// <summary>policy_scale: weight of the selected expert's residual h ← h + scale·up(tanh(down(h))).</summary>
    public double PolicyScale { get; init; } = 0.08;

    /// <summary>output_expert_scale: weight of the routed output head's bonus (0 turns the bonus off).</summary>
    public double OutputExpertScale { get; init; }

    /// <summary>base_choice_scale: weight of the carrier's own dense choice scores (0 leaves decisions to the routed heads).</summary>
    public double BaseChoiceScale { get; init; } = 1.0;

    /// <summary>typed_route_policies: three independent sets of route readers and carries (task / safety / memory).</summary>
    public bool TypedRoutes { get; init; }

    /// <summary>typed_output_branches: three sets of output heads (task / safety / memory).</summary>
    public bool TypedOutputs { get; init; }

    /// <summary>Hard (argmax) routing, the release's default; false weighs experts and heads by the route instead.</summary>
    public bool HardRouting { get; init; } = true;

    /// <summary>
    /// Scale the carrier's summary to unit root-mean-square before the route readers and output heads read it. The
    /// release's decoder hands its heads the final-RMSNorm'd last-token state (unit RMS per element); an encoder's
    /// mean-pooled summary is several times smaller (about 0.2 RMS for MiniLM), which would leave the readers and heads
    /// learning several times more slowly at the same learning rate. On by default.
    /// </summary>
    public bool NormalizeSummary { get; init; } = true;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Policies < 2) throw new ArgumentException($"RoutedCarrierOptions.Policies must be ≥ 2; got {Policies}.");
        if (BlockSize < 1) throw new ArgumentException($"RoutedCarrierOptions.BlockSize must be ≥ 1; got {BlockSize}.");
        if (ExpertRank < 1) throw new ArgumentException($"RoutedCarrierOptions.ExpertRank must be ≥ 1; got {ExpertRank}.");
        foreach (var (name, value) in new[] { ("PolicyScale", PolicyScale), ("OutputExpertScale", OutputExpertScale), ("BaseChoiceScale", BaseChoiceScale) })
            if (!double.IsFinite(value) || value < 0) throw new ArgumentException($"RoutedCarrierOptions.{name} must be finite and ≥ 0; got {value}.");
    }
}
