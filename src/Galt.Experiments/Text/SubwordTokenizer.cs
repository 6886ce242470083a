using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace Galt.Experiments.Text;

/// <summary>
/// Byte-pair subword pieces from Microsoft.ML.Tokenizers (the tiktoken <c>cl100k_base</c> encoding, whose data ships in
/// the Microsoft.ML.Tokenizers.Data.Cl100kBase package, so nothing is downloaded), applied to lower-cased text like the
/// release's word tokenizer. A rare word becomes several frequent pieces instead of one <c>&lt;unk&gt;</c>, and related
/// forms share pieces (" distress" + "ing"). Each piece is its own decoded text, leading space included (" consistently");
/// a piece that is only part of a UTF-8 character (emoji, CJK) is named by its encoding id (<c>&lt;#1234&gt;</c>), so
/// distinct pieces never merge. The encoding is loaded once, on first use, and shared (as Microsoft.ML.Tokenizers advises).
/// </summary>
public sealed class SubwordTokenizer : ITextTokenizer
{
    private readonly Lazy<Tokenizer> _encoding;
    private readonly ConcurrentDictionary<int, string> _pieces = new();

    private SubwordTokenizer(string name, string encodingName)
    {
        Name = name;
        EncodingName = encodingName;
        _encoding = new Lazy<Tokenizer>(() => TiktokenTokenizer.CreateForEncoding(encodingName));
    }

    /// <summary>The <c>cl100k_base</c> encoding on lower-cased text.</summary>
    public static SubwordTokenizer Cl100kBase { get; } = new("cl100k", "cl100k_base");

    /// <summary>The tiktoken encoding's name.</summary>
    public string EncodingName { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Description => $"Microsoft.ML.Tokenizers tiktoken {EncodingName} byte-pair pieces of the lower-cased text";

    /// <inheritdoc/>
    public IEnumerable<string> Tokens(string text) => _encoding.Value.EncodeToIds(text.ToLowerInvariant()).Select(Piece);

    private string Piece(int id) => _pieces.GetOrAdd(id, i => _encoding.Value.Decode(new[] { i }) is { } piece && !piece.Contains('\uFFFD') ? piece : $"<#{i}>");
}
