using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// Scratch tensors reused from step to step by the local solve and the Adam metric, so a step allocates (and
/// page-faults) nothing parameter-sized. Owned by an optimizer; results written into it are valid until the next step.
/// </summary>
internal sealed class SolveWorkspace : IDisposable
{
    private readonly Dictionary<(string Role, int Index), Tensor> _buffers = new();

    /// <summary>A tensor of <paramref name="shape"/> like <paramref name="like"/> (dtype, device), reused when the shape matches.</summary>
    public Tensor Get(string role, int index, long[] shape, Tensor like)
    {
        if (_buffers.TryGetValue((role, index), out var buffer))
        {
            if (TensorShapes.Matches(buffer, shape) && Fits(buffer, like)) return buffer;
            buffer.Dispose();
        }
        return Create(role, index, shape, like);
    }

    /// <summary>A tensor shaped like <paramref name="like"/> (and of its dtype and device), reused when it still fits.</summary>
    public Tensor Get(string role, int index, Tensor like)
    {
        if (_buffers.TryGetValue((role, index), out var buffer))
        {
            if (TensorShapes.Same(buffer, like) && Fits(buffer, like)) return buffer;
            buffer.Dispose();
        }
        return Create(role, index, like.shape, like);
    }

    private static bool Fits(Tensor buffer, Tensor like) =>
        buffer.dtype == like.dtype && buffer.device_type == like.device_type && buffer.device_index == like.device_index;

    private Tensor Create(string role, int index, long[] shape, Tensor like)
    {
        var buffer = empty(shape, like.dtype, like.device).DetachFromDisposeScope();
        _buffers[(role, index)] = buffer;
        return buffer;
    }

    /// <summary>Exchanges two buffers (double buffering: a committed proposal becomes current without a copy).</summary>
    public void Swap(string roleA, string roleB, int index)
    {
        _buffers.TryGetValue((roleA, index), out var a);
        _buffers.TryGetValue((roleB, index), out var b);
        if (a is null) _buffers.Remove((roleB, index)); else _buffers[(roleB, index)] = a;
        if (b is null) _buffers.Remove((roleA, index)); else _buffers[(roleA, index)] = b;
    }

    /// <summary>The buffer for (role, index) if one exists.</summary>
    public Tensor? Find(string role, int index) => _buffers.TryGetValue((role, index), out var t) ? t : null;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _buffers.Values) t.Dispose();
        _buffers.Clear();
    }
}
