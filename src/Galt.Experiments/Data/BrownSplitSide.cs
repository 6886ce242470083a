namespace Galt.Experiments.Data;

/// <summary>A side of a <see cref="BrownTopicSplit"/>.</summary>
public enum BrownSplitSide
{
    /// <summary>The documents a model trains on.</summary>
    Train,

    /// <summary>The held-out documents a model is evaluated on.</summary>
    Eval,
}
