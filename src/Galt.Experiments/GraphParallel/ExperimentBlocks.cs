using Galt.Graph;
using Galt.Models;
using Galt.Optim;
using Galt.Orleans;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// Every block kind the experiments and benchmarks place on silos, by <see cref="BlockSpec.Kind"/>: the graph demo's
/// (<see cref="GraphDemoBlocks"/>) and the graph benchmark's equal dense blocks (kind <c>bench-dense</c>, arguments
/// "width,relu"). The factory <c>galt silo</c> registers.
/// </summary>
public sealed class ExperimentBlocks : IBlockFactory
{
    /// <summary>Kind of the graph benchmark's blocks.</summary>
    public const string BenchDense = "bench-dense";

    private readonly GraphDemoBlocks _demo = new();

    /// <summary>The graph benchmark's block optimizer settings: the graph demo's (<see cref="GraphDemoBlocks.Options"/>).</summary>
    public static GaltOptions BenchOptions() => GraphDemoBlocks.Options();

    /// <summary>A graph benchmark block: Linear <paramref name="width"/>→<paramref name="width"/>, then ReLU when <paramref name="relu"/>.</summary>
    public static Block Bench(string name, int width, bool relu) => new(name, new DenseBlock(width, width, relu), BenchOptions());

    /// <inheritdoc />
    public Block Create(BlockSpec spec)
    {
        if (spec.Kind == GraphDemoBlocks.Kind) return _demo.Create(spec);
        if (spec.Kind != BenchDense) throw new ArgumentException($"no block kind '{spec.Kind}' here; known: {GraphDemoBlocks.Kind}, {BenchDense}.", nameof(spec));
        var parts = spec.Arguments.Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int width) || width < 1 || !bool.TryParse(parts[1], out bool relu))
            throw new ArgumentException($"{BenchDense} arguments are 'width,relu'; got '{spec.Arguments}'.", nameof(spec));
        return Bench(spec.Name, width, relu);
    }
}
