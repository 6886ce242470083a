namespace Galt.Maps;

/// <summary>How far along its direction a map-guided step may go (the paper's "update inside the trusted map region").</summary>
public enum TrustRegion
{
    /// <summary>The whole step (σ = 1), whatever the chart: what an unguided optimizer does.</summary>
    Raw,

    /// <summary>Only as far as the current ReLU chart reaches: σ stops just inside the first boundary (no unit changes sign).</summary>
    BoundaryOnly,

    /// <summary>Across at most one chart boundary: σ stops just inside the second, and the next step re-linearises in the new chart.</summary>
    ChartLocal,
}
