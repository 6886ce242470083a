using Galt.Experiments.Text;
namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The curriculum model's vocabulary (spec §6.6): the specials &lt;pad&gt; = 0, &lt;unk&gt; = 1, &lt;bos&gt; = 2,
/// &lt;eos&gt; = 3, then the tokens of its <see cref="Tokenizer"/> (the release's <see cref="WordTokenizer"/> unless another
/// is given) by descending count over the training texts (ties keep first-seen order), up to <see cref="Size"/> entries in
/// all. A text encodes as [bos] + its first max_len − 2 tokens + [eos], right-padded with 0.
/// </summary>
public sealed class CurriculumVocabulary
{
    /// <summary>Padding id.</summary>
    public const long Pad = 0;

    /// <summary>Out-of-vocabulary id.</summary>
    public const long Unknown = 1;

    /// <summary>Beginning of sequence.</summary>
    public const long Begin = 2;

    /// <summary>End of sequence.</summary>
    public const long End = 3;

    private static readonly string[] Specials = { "<pad>", "<unk>", "<bos>", "<eos>" };
    private readonly Dictionary<string, long> _ids;
    private readonly string[] _tokens;

    /// <summary>
    /// Builds the vocabulary from <paramref name="trainingTexts"/> split by <paramref name="tokenizer"/> (default
    /// <see cref="WordTokenizer.Release"/>), capped at <paramref name="maxSize"/> entries (specials included).
    /// </summary>
    public CurriculumVocabulary(IEnumerable<string> trainingTexts, int maxSize = 12_000, ITextTokenizer? tokenizer = null)
    {
        if (maxSize <= Specials.Length) throw new ArgumentOutOfRangeException(nameof(maxSize), $"the vocabulary needs room beyond its {Specials.Length} specials; got a cap of {maxSize}.");
        Tokenizer = tokenizer ?? WordTokenizer.Release;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        foreach (var text in trainingTexts)
            foreach (var token in Tokenizer.Tokens(text))
            {
                if (!counts.TryGetValue(token, out int c)) firstSeen.Add(token);
                counts[token] = c + 1;
            }
        // OrderByDescending is a stable sort, so equal counts keep first-seen order (Python's Counter.most_common).
        _tokens = Specials.Concat(firstSeen.Where(t => !Specials.Contains(t)).OrderByDescending(t => counts[t]).Take(maxSize - Specials.Length)).ToArray();
        _ids = _tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => (long)p.i, StringComparer.Ordinal);
    }

    /// <summary>How texts are split into tokens, for counting and for encoding.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>Entries, specials included.</summary>
    public int Size => _tokens.Length;

    /// <summary>The token with id <paramref name="id"/>.</summary>
    public string this[long id] => _tokens[id];

    /// <summary>Id of a token (as the <see cref="Tokenizer"/> gives it), or <see cref="Unknown"/>.</summary>
    public long IdOf(string token) => _ids.GetValueOrDefault(token, Unknown);

    /// <summary>[bos] + the first <paramref name="maxLength"/> − 2 token ids + [eos], right-padded with <see cref="Pad"/> to <paramref name="maxLength"/>.</summary>
    public long[] Encode(string text, int maxLength)
    {
        if (maxLength < 3) throw new ArgumentOutOfRangeException(nameof(maxLength), $"max length must leave room for bos, eos and a token; got {maxLength}.");
        var ids = new long[maxLength];
        ids[0] = Begin;
        int n = 1;
        foreach (var token in Tokenizer.Tokens(text))
        {
            if (n == maxLength - 1) break;
            ids[n++] = IdOf(token);
        }
        ids[n] = End;
        return ids;
    }
}
