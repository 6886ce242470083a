using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace Galt.Orleans;

/// <summary>Hosting: what a silo needs to hold GALT block grains.</summary>
public static class GaltSiloExtensions
{
    /// <summary>
    /// Lets the silo host block grains built by <paramref name="factory"/>, placed as <see cref="BlockPlacement"/> says.
    /// Each round of a block runs with <paramref name="threadsPerBlock"/> libtorch intra-op threads (default 1, as the
    /// in-process <see cref="Galt.Graph.ThreadedExecutor"/> gives each worker on a machine with as many cores as blocks): a
    /// thread count is part of the arithmetic (it splits reductions), so equal counts give equal bits.
    /// </summary>
    public static ISiloBuilder AddGaltBlocks(this ISiloBuilder silo, IBlockFactory factory, int threadsPerBlock = 1)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (threadsPerBlock < 1) throw new ArgumentOutOfRangeException(nameof(threadsPerBlock), $"libtorch threads per block must be ≥ 1; got {threadsPerBlock}.");
        silo.Services.AddSingleton(factory);
        silo.Services.AddSingleton(new BlockThreads(threadsPerBlock));
        silo.Services.AddPlacementDirector<BlockPlacement, BlockPlacementDirector>();
        return silo;
    }
}

/// <summary>libtorch intra-op threads a block grain's round runs with.</summary>
internal sealed record BlockThreads(int Count);
