using static TorchSharp.torch;

namespace Galt.Checkpoints;

/// <summary>
/// A module's parameters and buffers (its <c>state_dict</c>, trainable or frozen) as a checkpoint part. Restoring
/// checks that the checkpoint holds exactly the module's entries with the same dtypes and shapes; the error names the
/// first tensor that differs.
/// </summary>
public sealed class ModuleCheckpoint : ICheckpointable
{
    private readonly nn.Module _module;

    /// <summary>Checkpoints <paramref name="module"/>.</summary>
    public ModuleCheckpoint(nn.Module module) => _module = module;

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        var state = _module.state_dict();
        writer.Strings("names", state.Keys.ToArray());
        foreach (var (name, tensor) in state) writer.Tensor($"tensor/{name}", tensor);
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        var state = _module.state_dict();
        var names = reader.Strings("names");
        if (names.FirstOrDefault(n => !state.ContainsKey(n)) is { } extra)
            throw reader.Error("names", $"the checkpoint has tensor '{extra}', which the model does not; was the checkpoint taken with another model?");
        if (state.Keys.FirstOrDefault(n => !names.Contains(n)) is { } missing)
            throw reader.Error("names", $"the model has tensor '{missing}', which the checkpoint does not; was the checkpoint taken with another model?");
        var actions = state.Select(kv => reader.TensorInto($"tensor/{kv.Key}", kv.Value)).ToArray();
        return () => { foreach (var a in actions) a(); };
    }
}
