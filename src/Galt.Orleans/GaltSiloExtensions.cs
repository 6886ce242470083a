using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace Galt.Orleans;

/// <summary>Hosting: what a silo needs to hold GALT block grains.</summary>
public static class GaltSiloExtensions
{
    /// <summary>
    /// Lets the silo host block grains built by <paramref name="factory"/>, placed as <see cref="BlockPlacement"/> says.
    /// </summary>
    public static ISiloBuilder AddGaltBlocks(this ISiloBuilder silo, IBlockFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        silo.Services.AddSingleton(factory);
        silo.Services.AddPlacementDirector<BlockPlacement, BlockPlacementDirector>();
        return silo;
    }
}
