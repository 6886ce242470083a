using static TorchSharp.torch;

namespace Galt.Solve;

/// <summary>
/// Shape comparisons for the per-step checks, without TorchSharp's <c>shape</c> property: that allocates an array
/// through a callback from native code and cost a step about 3 µs per call (70 µs for a re-solve's 20 checks at
/// k = 4) once the sweeps had pushed the tensors' metadata out of the cache; <c>dim()</c> and <c>size(d)</c> are plain
/// native calls.
/// </summary>
internal static class TensorShapes
{
    /// <summary>True when <paramref name="t"/> has exactly <paramref name="shape"/>.</summary>
    public static bool Matches(Tensor t, long[] shape)
    {
        if (t.dim() != shape.Length) return false;
        for (int d = 0; d < shape.Length; d++)
            if (t.size(d) != shape[d]) return false;
        return true;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        long rank = a.dim();
        if (b.dim() != rank) return false;
        for (int d = 0; d < rank; d++)
            if (a.size(d) != b.size(d)) return false;
        return true;
    }
}
