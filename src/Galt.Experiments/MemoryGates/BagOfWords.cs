using Galt.Experiments.Data;
using static TorchSharp.torch;
using Galt.Experiments.Text;

namespace Galt.Experiments.MemoryGates;

/// <summary>
/// The NL gate's text features (spec §6.4): lower-case, tokens <c>[A-Za-z0-9_']+|[^\sA-Za-z0-9_]</c>, a vocabulary of
/// the most frequent tokens in the training texts, bag-of-words counts divided by max(L2 norm, 1).
/// </summary>
public sealed class BagOfWords
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Builds the vocabulary (top <paramref name="size"/> tokens by count; ties by token) from <paramref name="texts"/>.</summary>
    public BagOfWords(IEnumerable<string> texts, int size = 5000)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var token in Tokens(text))
                counts[token] = counts.GetValueOrDefault(token) + 1;
        _index = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(size)
            .Select((kv, i) => (kv.Key, i)).ToDictionary(p => p.Key, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Vocabulary size.</summary>
    public int Size => _index.Count;

    /// <summary>The tokens of a text (<see cref="WordTokenizer"/>).</summary>
    public static IEnumerable<string> Tokens(string text) => WordTokenizer.Release.Tokens(text);

    /// <summary>Features [texts, vocabulary] (float32).</summary>
    public Tensor Features(IReadOnlyList<string> texts)
    {
        var data = new float[texts.Count * (long)Size];
        for (int r = 0; r < texts.Count; r++)
        {
            long row = (long)r * Size;
            foreach (var token in Tokens(texts[r]))
                if (_index.TryGetValue(token, out int j)) data[row + j] += 1;
            double norm = 0;
            for (int j = 0; j < Size; j++) norm += data[row + j] * (double)data[row + j];
            float scale = (float)(1 / Math.Max(Math.Sqrt(norm), 1));
            for (int j = 0; j < Size; j++) data[row + j] *= scale;
        }
        return tensor(data, new long[] { texts.Count, Size });
    }
}
