using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Channels;

/// <summary>
/// transform_b of spec §5.6: what a route mode does to the route r before block b (or the output selector) reads it.
/// The permutations are <see cref="RoutePermutations"/>'s; the output selector uses the last block's.
/// </summary>
public sealed class RouteTransform
{
    private readonly int[][] _permutations;

    /// <summary>Creates the transform for <paramref name="blocks"/> blocks of <paramref name="policies"/> policies.</summary>
    public RouteTransform(int blocks, int policies)
    {
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(blocks), $"need at least one block; got {blocks}.");
        Policies = policies;
        _permutations = Enumerable.Range(0, blocks).Select(b => RoutePermutations.For(b, policies)).ToArray();
    }

    /// <summary>P.</summary>
    public int Policies { get; }

    /// <summary>π_b per block (recorded in reports).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Permutations => _permutations;

    /// <summary>The route block <paramref name="block"/> consumes under <paramref name="mode"/>.</summary>
    public Tensor ForBlock(Tensor route, int block, RouteMode mode) => mode switch
    {
        RouteMode.Normal or RouteMode.ScrambleOutputOnly => route,
        RouteMode.Zero => Uniform(route),
        RouteMode.Scramble or RouteMode.ScrambleBlocksOnly => RoutePermutations.Apply(route, _permutations[block]),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown route mode."),
    };

    /// <summary>
    /// The mode whose block routes <paramref name="mode"/> uses: Normal for Normal and ScrambleOutputOnly, Scramble for
    /// Scramble and ScrambleBlocksOnly, Zero for Zero. Modes with the same block mode share the whole trunk pass and
    /// differ only in the output selector.
    /// </summary>
    public static RouteMode BlockMode(RouteMode mode) => mode switch
    {
        RouteMode.Normal or RouteMode.ScrambleOutputOnly => RouteMode.Normal,
        RouteMode.Scramble or RouteMode.ScrambleBlocksOnly => RouteMode.Scramble,
        RouteMode.Zero => RouteMode.Zero,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown route mode."),
    };

    /// <summary>The route the output selector reads under <paramref name="mode"/> (from the last block's route).</summary>
    public Tensor ForOutput(Tensor route, RouteMode mode) => mode switch
    {
        RouteMode.Normal or RouteMode.ScrambleBlocksOnly => route,
        RouteMode.Zero => Uniform(route),
        RouteMode.Scramble or RouteMode.ScrambleOutputOnly => RoutePermutations.Apply(route, _permutations[^1]),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown route mode."),
    };

    private Tensor Uniform(Tensor route)
    {
        using var share = (1.0 / Policies).ToScalar();
        return full_like(route, share);
    }
}
