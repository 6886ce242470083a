using Galt.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.ChartCorrection;

/// <summary>
/// The token view of a descriptor, for the token-bearing student: each of the 48 coordinates falls into one of 8 bins
/// (cut at the training split's per-coordinate octiles), giving token coordinate·8 + bin (384 tokens); 16 of those
/// tokens have a synonym (tokens 384–399) that replaces them, seeded, in half of their occurrences — the student must
/// learn that two tokens mean the same. A descriptor becomes a sequence of 48 tokens.
/// </summary>
internal sealed class ChartTokens : IDisposable
{
    public const int Bins = 8, Synonyms = 16;
    public const int Vocabulary = ChartCorrectionData.Dimension * Bins + Synonyms;

    private readonly Tensor _cuts;      // [48, 7] inner bin edges per coordinate
    private readonly Tensor _synonymOf; // [384] the synonym token of each base token, or −1

    private ChartTokens(Tensor cuts, Tensor synonymOf)
    {
        _cuts = cuts;
        _synonymOf = synonymOf;
    }

    /// <summary>Bins from <paramref name="train"/> (its descriptors' octiles); the 16 tokens with synonyms drawn from <paramref name="seed"/>.</summary>
    public static ChartTokens Fit(Tensor train, long seed)
    {
        using var scope = NewDisposeScope();
        using var levels = tensor(Enumerable.Range(1, Bins - 1).Select(k => (float)k / Bins).ToArray());
        var cuts = quantile(train.to_type(ScalarType.Float32), levels, dim: 0).t().contiguous(); // [48, 7]
        using var generator = new Generator((ulong)seed);
        var chosen = randperm(ChartCorrectionData.Dimension * Bins, generator: generator).narrow(0, 0, Synonyms);
        using var none = (-1L).ToScalar();
        var synonymOf = full(ChartCorrectionData.Dimension * Bins, none, ScalarType.Int64);
        synonymOf.index_put_(ExplicitScalars.Range(Synonyms).Plus((long)(ChartCorrectionData.Dimension * Bins)), chosen);
        return new ChartTokens(cuts.MoveToOuterDisposeScope(), synonymOf.MoveToOuterDisposeScope());
    }

    /// <summary>[n, 48] tokens of descriptors <paramref name="x"/> [n, 48]; synonyms swapped in by <paramref name="generator"/>.</summary>
    public Tensor Tokenize(Tensor x, Generator generator)
    {
        using var scope = NewDisposeScope();
        // bin = number of cuts below the value, per coordinate.
        var bins = x.unsqueeze(2).gt(_cuts.unsqueeze(0)).sum(2);                                   // [n, 48] in 0..7
        var tokens = bins.Plus(ExplicitScalars.Range(ChartCorrectionData.Dimension).Times((long)Bins).unsqueeze(0));
        var synonym = _synonymOf.index_select(0, tokens.reshape(-1)).reshape(tokens.shape);
        using var half = 0.5.ToScalar();
        using var zero = 0L.ToScalar();
        var coin = rand(tokens.shape, generator: generator).lt(half);
        var swap = synonym.ge(zero).logical_and(coin);
        return where(swap, synonym, tokens).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _cuts.Dispose();
        _synonymOf.Dispose();
    }
}
