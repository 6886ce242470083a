using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// Word dropout for the classification streams (not in the release's recipe; a round-2 candidate of
/// <c>galt run curriculum-select</c>): during training each word token of a teacher or GALT row is replaced by
/// &lt;unk&gt; with probability <see cref="Probability"/>, so no single cue word can carry a decision. Specials
/// (&lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt;, &lt;eos&gt;) stay. Language rows are left whole: their tokens are also their
/// targets. Draws come from their own <see cref="Random"/>, so turning dropout on leaves the batch sampling unchanged.
/// </summary>
public sealed class CurriculumTokenDropout
{
    private readonly Random _random;

    /// <summary>Creates the dropout for one training run.</summary>
    /// <param name="probability">Chance that a word token becomes &lt;unk&gt;, in [0, 1).</param>
    /// <param name="seed">The run's seed (the draws use a stream derived from it).</param>
    public CurriculumTokenDropout(double probability, int seed)
    {
        if (!(probability is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(probability), $"token dropout must be in [0, 1); got {probability}.");
        Probability = probability;
        _random = new Random(unchecked(seed * 31 + 7_919));
    }

    /// <summary>The chance that a word token is replaced.</summary>
    public double Probability { get; }

    /// <summary>The first id that is a word rather than a special.</summary>
    public const long FirstWord = CurriculumVocabulary.End + 1;

    /// <summary>Replaces word tokens of <paramref name="ids"/> by &lt;unk&gt; in place, each with <see cref="Probability"/>.</summary>
    public void Apply(Span<long> ids)
    {
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] >= FirstWord && _random.NextDouble() < Probability) ids[i] = CurriculumVocabulary.Unknown;
    }
}
