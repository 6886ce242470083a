namespace Galt.Channels;

/// <summary>
/// How the route r is transformed before a block or the output selector consumes it (spec §5.6): the necessity probes
/// compare accuracy under <see cref="Normal"/> against <see cref="Zero"/> and <see cref="Scramble"/>.
/// </summary>
public enum RouteMode
{
    /// <summary>Identity.</summary>
    Normal,

    /// <summary>Uniform 1/P everywhere, the output selector included: with hard routing, expert 0 in every block and output head 0.</summary>
    Zero,

    /// <summary>r permuted by the block's fixed permutation π_b in every block and at the output (which uses the last block's π).</summary>
    Scramble,

    /// <summary>Only the routes the blocks consume are permuted; the output selector reads the unpermuted final route.</summary>
    ScrambleBlocksOnly,

    /// <summary>Blocks consume the normal route; only the output selector is permuted.</summary>
    ScrambleOutputOnly,
}
