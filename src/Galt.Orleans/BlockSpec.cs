namespace Galt.Orleans;

/// <summary>
/// What a silo needs to build block <see cref="Index"/> of a chain before its state arrives: a kind its
/// <see cref="IBlockFactory"/> knows and that kind's arguments. The module's values and the optimizer's state come after,
/// as bytes; the spec only has to produce a block of the same shape with the same optimizer settings.
/// </summary>
[GenerateSerializer, Immutable, Alias("Galt.Orleans.BlockSpec")]
public sealed record BlockSpec
{
    /// <summary>Creates the spec.</summary>
    public BlockSpec(string kind, string arguments, string name, int index)
    {
        Kind = kind; Arguments = arguments; Name = name; Index = index;
    }

    /// <summary>The block kind, as the silo's <see cref="IBlockFactory"/> names it.</summary>
    [Id(0)] public string Kind { get; init; }

    /// <summary>The kind's arguments (e.g. layer widths), in the factory's own format.</summary>
    [Id(1)] public string Arguments { get; init; }

    /// <summary>The block's name (parameter names and errors use it).</summary>
    [Id(2)] public string Name { get; init; }

    /// <summary>The block's position in the chain, input side first.</summary>
    [Id(3)] public int Index { get; init; }
}
