using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>A curriculum split with every row's text encoded once by the vocabulary (spec §6.6 encoding).</summary>
public sealed class EncodedCurriculum
{
    /// <summary>Encodes <paramref name="rows"/> to <paramref name="maxLength"/> ids each.</summary>
    public EncodedCurriculum(IReadOnlyList<CurriculumRow> rows, CurriculumVocabulary vocabulary, int maxLength)
    {
        Rows = rows;
        MaxLength = maxLength;
        Tokens = rows.Select(r => vocabulary.Encode(r.Text, maxLength)).ToArray();
    }

    /// <summary>The rows.</summary>
    public IReadOnlyList<CurriculumRow> Rows { get; }

    /// <summary>Token ids per row, each of length <see cref="MaxLength"/>, right-padded with 0.</summary>
    public long[][] Tokens { get; }

    /// <summary>Encoded length.</summary>
    public int MaxLength { get; }

    /// <summary>Indices of every row, streams in order language, teacher, GALT (the evaluation batch).</summary>
    public int[] AllByStream() => Enumerable.Range(0, Rows.Count).OrderBy(i => Rows[i].Stream).ThenBy(i => i).ToArray();
}
