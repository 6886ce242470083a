using static TorchSharp.torch;

namespace Galt.Checkpoints;

/// <summary>
/// A module's parameters and buffers (its <c>state_dict</c>, trainable or frozen) as a checkpoint part. Restoring
/// checks that the checkpoint holds exactly the module's entries with the same dtypes and shapes; the error names the
/// first tensor that differs. Which parameters hold a <c>.grad</c> is kept too: an optimizer that zeroes gradients
/// instead of clearing them steps a parameter with a leftover (zeroed) gradient but skips one without, so a resumed run
/// must start with the same parameters holding gradients (their values do not matter: they are zeroed before use).
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
        var parameters = _module.named_parameters().ToArray();
        writer.Strings("with_grad", parameters.Where(p => HoldsGradient(p.parameter)).Select(p => p.name).ToArray());
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
        var withGrad = reader.Strings("with_grad").ToHashSet(StringComparer.Ordinal);
        var parameters = _module.named_parameters().ToArray();
        if (withGrad.FirstOrDefault(n => parameters.All(p => p.name != n)) is { } unknown)
            throw reader.Error("with_grad", $"names parameter '{unknown}', which the model does not have.");
        return () =>
        {
            foreach (var a in actions) a();
            foreach (var (name, parameter) in parameters)
            {
                if (!withGrad.Contains(name))
                {
                    parameter.grad = null;
                    continue;
                }
                // The parameter keeps its own reference to the gradient; this wrapper is disposed here.
                using var zero = zeros_like(parameter);
                parameter.grad = zero;
            }
        };
    }

    /// <summary>Whether <paramref name="parameter"/> holds a <c>.grad</c> (each read of <c>.grad</c> makes a new wrapper, disposed here).</summary>
    private static bool HoldsGradient(TorchSharp.Modules.Parameter parameter)
    {
        using var gradient = parameter.grad;
        return gradient is { IsInvalid: false };
    }
}
