using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// The fixed scramble permutations of spec §5.6: π_b = Python <c>random.Random(3000 + b).shuffle([0, …, P−1])</c>, and
/// "permute" means r'_i = r_{π_b[i]}. For P = 4 the first seven are [2,0,3,1], [0,1,3,2], [0,3,2,1], [1,0,2,3],
/// [2,0,1,3], [3,2,1,0], [3,1,2,0]; other block and policy counts are derived the same seeded way.
/// </summary>
public static class RoutePermutations
{
    /// <summary>Seed of block 0's permutation.</summary>
    public const int BaseSeed = 3000;

    /// <summary>π_b for <paramref name="policies"/> policies.</summary>
    public static int[] For(int block, int policies)
    {
        if (block < 0) throw new ArgumentOutOfRangeException(nameof(block), $"block index must be ≥ 0; got {block}.");
        if (policies < 1) throw new ArgumentOutOfRangeException(nameof(policies), $"need at least one policy; got {policies}.");
        var permutation = Enumerable.Range(0, policies).ToArray();
        new PythonRandom(BaseSeed + block).Shuffle(permutation);
        return permutation;
    }

    /// <summary>r'[…, i] = r[…, π[i]] along the last dimension.</summary>
    public static Tensor Apply(Tensor route, IReadOnlyList<int> permutation)
    {
        if (route.shape[^1] != permutation.Count)
            throw new ArgumentException($"a route of {route.shape[^1]} policies cannot take a permutation of {permutation.Count}.", nameof(route));
        return route.index_select(-1, tensor(permutation.Select(p => (long)p).ToArray(), device: route.device));
    }
}
