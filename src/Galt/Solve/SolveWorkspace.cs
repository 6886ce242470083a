using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// Scratch tensors reused from step to step by the local solve and the Adam metric, so a step allocates (and
/// page-faults) nothing parameter-sized. Owned by an optimizer; results written into it are valid until the next step.
/// </summary>
public sealed class SolveWorkspace : IDisposable
{
    private readonly Dictionary<(string Role, int Index), Tensor> _buffers = new();

    /// <summary>A tensor of <paramref name="shape"/> like <paramref name="like"/> (dtype, device), reused when the shape matches.</summary>
    public Tensor Get(string role, int index, long[] shape, Tensor like)
    {
        if (_buffers.TryGetValue((role, index), out var buffer))
        {
            if (buffer.shape.SequenceEqual(shape) && buffer.dtype == like.dtype && buffer.device == like.device) return buffer;
            buffer.Dispose();
        }
        buffer = empty(shape, like.dtype, like.device).DetachFromDisposeScope();
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
