using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace Galt.Carriers;

/// <summary>
/// The lower-case BERT WordPiece tokenizer of a vocabulary (one token a line, line i = id i), giving the ids the model
/// was trained on: the original BERT BasicTokenizer (clean text, space out CJK, lower-case, strip accents, split on
/// whitespace and punctuation), then greedy longest-match WordPiece with <c>##</c> continuations, [UNK] for a word of
/// more than 100 characters or one that cannot be matched, and [CLS] … [SEP] around the pieces.
/// </summary>
/// <remarks>
/// WordPiece matching, the vocabulary and the special tokens are Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>.
/// Its 2.0.1 normalizer and pre-tokenizer do not match BERT's (they drop the symbols <c>$ + &lt; = &gt; ^ ` | ~ ° × © € £ ¥</c>,
/// delete line breaks instead of treating them as spaces, and more), so both are replaced by BERT's own rules
/// (<see cref="BertBasicNormalizer"/>, <see cref="BertBasicPreTokenizer"/>). Special-token strings written in the text
/// (e.g. "[SEP]") are treated as ordinary text, as in the original BERT tokenizer.
/// </remarks>
public sealed class BertWordPieceTokenizer
{
    private readonly BertTokenizer _tokenizer;
    private readonly Dictionary<string, int> _ids;

    private BertWordPieceTokenizer(BertTokenizer tokenizer, IReadOnlyList<string> vocabulary)
    {
        _tokenizer = tokenizer;
        Vocabulary = vocabulary;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++) _ids.TryAdd(vocabulary[i], i);
    }

    /// <summary>
    /// Creates the tokenizer from the text of a vocab.txt. <paramref name="source"/> names it in errors. Throws
    /// <see cref="CarrierLoadException"/> when the vocabulary is empty or lacks [CLS], [SEP], [PAD], [UNK] or [MASK].
    /// </summary>
    public static BertWordPieceTokenizer FromVocabulary(string vocabularyText, string source = "vocab.txt")
    {
        ArgumentNullException.ThrowIfNull(vocabularyText);
        var lines = vocabularyText.Split('\n');
        int count = lines.Length;
        while (count > 0 && lines[count - 1].Length == 0) count--; // the file's final newline ends the last token, it adds none
        var vocabulary = lines.Take(count).Select(l => l.TrimEnd('\r')).ToArray();
        if (vocabulary.Length == 0) throw new CarrierLoadException($"WordPiece vocabulary '{source}' is empty; expected one token a line.");
        foreach (var special in new[] { "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]" })
            if (!vocabulary.Contains(special)) throw new CarrierLoadException($"WordPiece vocabulary '{source}' has no '{special}' token; expected a BERT vocabulary.");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', vocabulary) + "\n"));
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = false,
            Normalizer = BertBasicNormalizer.Instance,
            PreTokenizer = BertBasicPreTokenizer.Instance,
        };
        return new BertWordPieceTokenizer(BertTokenizer.Create(stream, options), vocabulary);
    }

    /// <summary>The vocabulary: token i has id i.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>The id of [CLS], which starts every sequence.</summary>
    public int ClassificationId => _tokenizer.ClassificationTokenId;

    /// <summary>The id of [SEP], which ends every sequence.</summary>
    public int SeparatorId => _tokenizer.SeparatorTokenId;

    /// <summary>The id of [PAD].</summary>
    public int PaddingId => _tokenizer.PaddingTokenId;

    /// <summary>The id of [UNK].</summary>
    public int UnknownId => _tokenizer.UnknownTokenId;

    /// <summary>The id of <paramref name="token"/> in the vocabulary; throws <see cref="KeyNotFoundException"/> naming it when absent.</summary>
    public int IdOf(string token) =>
        _ids.TryGetValue(token, out int id) ? id : throw new KeyNotFoundException($"token '{token}' is not in the WordPiece vocabulary.");

    /// <summary>The word pieces of <paramref name="text"/>, without [CLS] and [SEP].</summary>
    public IReadOnlyList<string> Pieces(string text) => PieceIds(text).Select(id => Vocabulary[id]).ToList();

    /// <summary>
    /// The ids of <paramref name="text"/>: [CLS], its pieces, [SEP]. With <paramref name="maxLength"/> (≥ 2, counting
    /// [CLS] and [SEP]) the pieces are cut to fit, keeping the first ones (<see cref="TruncationSide.Right"/>) or the
    /// last ones (<see cref="TruncationSide.Left"/>).
    /// </summary>
    public IReadOnlyList<int> Encode(string text, int? maxLength = null, TruncationSide truncation = TruncationSide.Right)
    {
        if (maxLength is < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), $"maximum length must leave room for [CLS] and [SEP] (≥ 2); got {maxLength}.");
        var pieces = PieceIds(text);
        int keep = maxLength is { } m ? Math.Min(pieces.Count, m - 2) : pieces.Count;
        var kept = truncation == TruncationSide.Left ? pieces.Skip(pieces.Count - keep) : pieces.Take(keep);
        return kept.Prepend(ClassificationId).Append(SeparatorId).ToList();
    }

    /// <summary>
    /// <see cref="Encode"/> for each text, padded with [PAD] to the longest: int64 ids and mask [batch, T] on the CPU.
    /// The caller owns the returned tensors.
    /// </summary>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null, TruncationSide truncation = TruncationSide.Right)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("cannot encode an empty batch of texts.", nameof(texts));
        var encoded = texts.Select(t => Encode(t, maxLength, truncation)).ToList();
        int length = encoded.Max(e => e.Count);
        var ids = new long[texts.Count * length];
        var mask = new long[texts.Count * length];
        for (int b = 0; b < encoded.Count; b++)
            for (int t = 0; t < length; t++)
            {
                bool token = t < encoded[b].Count;
                ids[b * length + t] = token ? encoded[b][t] : PaddingId;
                mask[b * length + t] = token ? 1 : 0;
            }
        return new TokenBatch(tensor(ids, new long[] { texts.Count, length }), tensor(mask, new long[] { texts.Count, length }));
    }

    private IReadOnlyList<int> PieceIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text, addSpecialTokens: false);
    }
}
