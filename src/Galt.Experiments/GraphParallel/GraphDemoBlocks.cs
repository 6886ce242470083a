using Galt.Graph;
using Galt.Models;
using Galt.Optim;
using Galt.Orleans;
using static TorchSharp.torch;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// The blocks of the graph demo as a silo builds them: kind <c>graph-demo</c>, argument the block's index; the same
/// layer and optimizer settings as <see cref="GraphDemoTraining"/>'s own blocks. The factory every <c>galt silo</c> registers.
/// </summary>
public sealed class GraphDemoBlocks : IBlockFactory
{
    /// <summary>The kind name.</summary>
    public const string Kind = "graph-demo";

    /// <summary>The demo's block optimizer settings: lr 1e-3, wd 0, ρ_a 0, the release's PI rule (the recipes were selected with it).</summary>
    public static GaltOptions Options() => new() { LearningRate = 1e-3, WeightDecay = 0, RhoAnchor = 0, MultiplierRule = new Galt.Multipliers.PiDualRule(), Contract = null };

    /// <summary>The specs of the demo's blocks, in chain order.</summary>
    public static BlockSpec[] Specs() => Enumerable.Range(0, GraphDemo.Widths.Length - 1).Select(v => new BlockSpec(Kind, v.ToString(), $"block{v}", v)).ToArray();

    /// <inheritdoc />
    public Block Create(BlockSpec spec)
    {
        if (spec.Kind != Kind) throw new ArgumentException($"this silo builds blocks of kind '{Kind}'; got '{spec.Kind}'.", nameof(spec));
        if (!int.TryParse(spec.Arguments, out int v) || v < 0 || v >= GraphDemo.Widths.Length - 1)
            throw new ArgumentException($"graph-demo block index '{spec.Arguments}' is not 0..{GraphDemo.Widths.Length - 2}.", nameof(spec));
        var layer = new DenseBlock(GraphDemo.Widths[v], GraphDemo.Widths[v + 1], relu: v + 2 < GraphDemo.Widths.Length);
        return new Block(spec.Name, layer, Options());
    }
}
