using Galt.Graph;

namespace Galt.Orleans;

/// <summary>
/// Builds blocks from <see cref="BlockSpec"/>s on a silo. Register one with
/// <see cref="GaltSiloExtensions.AddGaltBlocks(global::Orleans.Hosting.ISiloBuilder, IBlockFactory, int)"/>; the coordinator's
/// blocks must be built the same way, so a block's state restores into the silo's block exactly.
/// </summary>
public interface IBlockFactory
{
    /// <summary>A fresh block of <paramref name="spec"/>'s kind: its module (any initial values) and its optimizer settings.</summary>
    Block Create(BlockSpec spec);

    /// <summary>The task loss when <paramref name="spec"/> is the chain's last block; null for cross-entropy on class indices.</summary>
    TaskLoss? TaskLoss(BlockSpec spec) => null;
}
