using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Galt.Orleans;

/// <summary>
/// Explicit placement of block grains: a grain keyed <c>run/v@k</c> activates on silo k of the cluster's compatible silos
/// ordered by endpoint (k modulo their count). Orleans placement chooses a silo only when it activates a grain, so this is
/// where a block starts, not a pin: a block reactivated elsewhere after its silo stopped holds no state and refuses to run.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("Galt.Orleans.BlockPlacement")]
public sealed class BlockPlacement : PlacementStrategy
{
    internal static BlockPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class as placed by <see cref="BlockPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class BlockPlacementAttribute : PlacementAttribute
{
    public BlockPlacementAttribute() : base(BlockPlacement.Instance) { }
}

/// <summary>Picks silo k for a grain keyed <c>…@k</c>.</summary>
internal sealed class BlockPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = Ordered(context.GetCompatibleSilos(target));
        if (silos.Length == 0) throw new InvalidOperationException("no silo can host a block grain.");
        return Task.FromResult(silos[SiloIndex(target.GrainIdentity.Key.ToString()!) % silos.Length]);
    }

    /// <summary>Silos in a stable order: by port, then address, then generation.</summary>
    public static SiloAddress[] Ordered(IEnumerable<SiloAddress> silos) =>
        silos.OrderBy(s => s.Endpoint.Port).ThenBy(s => s.Endpoint.Address.ToString(), StringComparer.Ordinal).ThenBy(s => s.Generation).ToArray();

    /// <summary>k of a key <c>…@k</c>; 0 when the key names none.</summary>
    public static int SiloIndex(string key)
    {
        int at = key.LastIndexOf('@');
        return at >= 0 && int.TryParse(key.AsSpan(at + 1), out int k) && k >= 0 ? k : 0;
    }
}
