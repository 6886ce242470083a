using Galt.Tensors;

namespace Galt.Checkpoints;

/// <summary>
/// The state of TorchSharp's default CPU random generator (what <c>torch.rand</c>, dropout and initialisers draw from)
/// as a checkpoint part, so a resumed run draws the same numbers the uninterrupted run would have.
/// </summary>
public sealed class TorchRandomState : ICheckpointable
{
    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        using var state = TorchLifetimes.GetRandomState();
        writer.Tensor("state", state);
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        using var current = TorchLifetimes.GetRandomState();
        var state = reader.TensorLike("state", current);
        return () =>
        {
            TorchLifetimes.SetRandomState(state);
            state.Dispose();
        };
    }
}
