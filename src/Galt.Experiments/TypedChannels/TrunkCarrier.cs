using Galt.Channels;
using Galt.Experiments.Data;
using Galt.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Galt.Experiments.Text;

namespace Galt.Experiments.TypedChannels;

/// <summary>
/// The library's own <see cref="TransformerTrunk"/> as a text <see cref="IBlockCarrier{TInput}"/>, for tests and small experiments:
/// word tokens (<see cref="WordTokenizer"/>) looked up in a given vocabulary (id 0 = padding, 1 = unknown), right-padded
/// and cut to the trunk's maximum length; the summary is the mean over real tokens after the final LayerNorm. The
/// trunk's attention has no padding mask, so padded positions are attended to; use equal-length texts where that matters.
/// The carrier owns the trunk: disposing it disposes the trunk.
/// </summary>
public sealed class TrunkCarrier : IBlockCarrier<IReadOnlyList<string>>, IDisposable
{
    private readonly TransformerTrunk _trunk;
    private readonly IReadOnlyDictionary<string, int> _vocabulary;

    /// <summary>Padding id.</summary>
    public const int Pad = 0;

    /// <summary>Unknown-word id.</summary>
    public const int Unknown = 1;

    /// <summary>Wraps <paramref name="trunk"/> with <paramref name="vocabulary"/> (word → id ≥ 2).</summary>
    public TrunkCarrier(TransformerTrunk trunk, IReadOnlyDictionary<string, int> vocabulary)
    {
        _trunk = trunk;
        _vocabulary = vocabulary;
    }

    /// <summary>Disposes the trunk.</summary>
    public void Dispose() => _trunk.Dispose();

    /// <summary>A vocabulary of every word in <paramref name="texts"/> (ids from 2, in order of first appearance).</summary>
    public static Dictionary<string, int> VocabularyOf(IEnumerable<string> texts)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in texts.SelectMany(WordTokenizer.Release.Tokens))
            vocabulary.TryAdd(token, vocabulary.Count + 2);
        return vocabulary;
    }

    /// <inheritdoc />
    public int Width => _trunk.Width;

    /// <inheritdoc />
    public int LayerCount => _trunk.Layers.Count;

    /// <inheritdoc />
    public (Tensor Hidden, Tensor Mask) Embed(IReadOnlyList<string> inputs)
    {
        var (ids, mask) = Tokens(inputs);
        return (_trunk.Embed(ids), mask);
    }

    /// <summary>Token ids [texts, length] (int64, right-padded) and the 0/1 mask of real tokens.</summary>
    private (Tensor Ids, Tensor Mask) Tokens(IReadOnlyList<string> texts)
    {
        var rows = texts.Select(t => WordTokenizer.Release.Tokens(t).Select(w => _vocabulary.TryGetValue(w, out int id) ? id : Unknown)
            .TakeLast(_trunk.MaxLength).ToArray()).ToArray();
        int length = Math.Max(1, rows.Max(r => r.Length));
        var ids = new long[texts.Count * length];
        var mask = new float[texts.Count * length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++)
            {
                ids[i * length + j] = rows[i][j];
                mask[i * length + j] = 1;
            }
        return (tensor(ids, new long[] { texts.Count, length }), tensor(mask, new long[] { texts.Count, length }));
    }

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden, Tensor mask) => _trunk.Layers[index].call(hidden);

    /// <inheritdoc />
    public Tensor Summarize(Tensor hidden, Tensor mask)
    {
        using var one = 1.ToScalar();
        var m = mask.to(hidden.dtype).unsqueeze(-1);
        return (_trunk.Normalize(hidden) * m).sum(1) / m.sum(1).clamp_min(one);
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Parameter Parameter)> LayerParameters(int index) =>
        _trunk.Layers[index].named_parameters().Select(p => ($"layers.{index}.{p.name}", p.parameter)).ToList();
}
