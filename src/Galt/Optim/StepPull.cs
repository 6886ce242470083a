using static TorchSharp.torch;

namespace Galt.Optim;

/// <summary>A variant's proximal pull for one step (spec §1.3 item 2): θ_anchor per parameter tensor and ρ_a; none for the AL-Hessian optimizer.</summary>
/// <param name="Anchors">θ_anchor per parameter tensor, or null.</param>
/// <param name="RhoAnchor">ρ_a.</param>
/// <param name="Created">True when the anchors were created for this step (the first), so a failed step discards them.</param>
internal sealed record StepPull(IReadOnlyList<Tensor>? Anchors, double RhoAnchor, bool Created)
{
    /// <summary>No pull.</summary>
    public static StepPull None { get; } = new(null, 0, false);
}
