using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Constraints;

/// <summary>
/// The release's forward-consistency edge (spec §2.4): the drift of a block's boundary activations on a probe from a
/// snapshot, K = mean_j (h_j − t_j)², C = K − margin ≤ 0. <see cref="Refresh"/> re-snapshots the target (the release does
/// so every K_in steps), so the edge says "do not drift from the recent boundary state" rather than tying two blocks'
/// split variables (for that, see <c>Galt.Graph.SplitChain</c>).
/// </summary>
internal sealed class BoundaryStateConstraint : Constraint
{
    private readonly Func<Tensor> _boundary;
    private Tensor _target;

    /// <summary>Creates the edge and takes the first snapshot.</summary>
    /// <param name="name">Edge name, e.g. <c>forward_block_1</c>.</param>
    /// <param name="boundary">The boundary activations on the probe (differentiable), e.g. a block's output.</param>
    /// <param name="margin">Allowed mean squared drift (the release: 0).</param>
    public BoundaryStateConstraint(string name, Func<Tensor> boundary, double margin = 0) : base(name, ConstraintKind.Inequality, margin)
    {
        _boundary = boundary ?? throw new ArgumentNullException(nameof(boundary));
        _target = Snapshot();
    }

    /// <summary>Refreshes the target to the current boundary activations (C becomes −margin).</summary>
    public void Refresh()
    {
        var next = Snapshot();
        _target.Dispose();
        _target = next;
    }

    private Tensor Snapshot()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return _boundary().DetachedClone().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Measure()
    {
        var h = _boundary();
        if (!h.shape.SequenceEqual(_target.shape))
            throw new InvalidOperationException($"constraint '{Name}': boundary activations have shape [{string.Join(",", h.shape)}], the snapshot [{string.Join(",", _target.shape)}].");
        return (h - _target).Power(2).mean();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _target.Dispose();
    }
}
