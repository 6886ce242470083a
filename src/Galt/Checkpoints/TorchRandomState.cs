using static TorchSharp.torch;

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
        using var state = random.get_rng_state();
        writer.Tensor("state", state);
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        using var current = random.get_rng_state();
        var state = reader.TensorLike("state", current);
        return () =>
        {
            random.set_rng_state(state);
            state.Dispose();
        };
    }
}
