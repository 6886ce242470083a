using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Galt.Carriers;

/// <summary>
/// The word split of the original BERT BasicTokenizer, for Microsoft.ML.Tokenizers' WordPiece: split on whitespace,
/// and make every punctuation character a word of its own, where punctuation is ASCII 33–47, 58–64, 91–96 and 123–126
/// or any Unicode P* character. Everything else, symbols included, stays inside its word.
/// </summary>
/// <remarks>
/// Replaces the library's word-or-punctuation pre-tokenizer (2.0.1, pattern <c>\w+|[\p{P}]</c>), which drops every
/// character that is neither a word character nor P*: the ASCII symbols <c>$ + &lt; = &gt; ^ ` | ~</c> that BERT counts as
/// punctuation, and symbols such as <c>° × © € £ ¥</c> that BERT keeps inside words, so their ids never reach the model.
/// </remarks>
internal sealed class BertBasicPreTokenizer : PreTokenizer
{
    public static readonly BertBasicPreTokenizer Instance = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    private static List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var words = new List<(int Offset, int Length)>();
        int start = -1, i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text[i..], out var rune, out int width);
            if (BertBasicNormalizer.IsWhitespace(rune) || Rune.IsWhiteSpace(rune))
            {
                if (start >= 0) words.Add((start, i - start));
                start = -1;
            }
            else if (IsPunctuation(rune))
            {
                if (start >= 0) words.Add((start, i - start));
                words.Add((i, width));
                start = -1;
            }
            else if (start < 0) start = i;
            i += width;
        }
        if (start >= 0) words.Add((start, text.Length - start));
        return words;
    }

    /// <summary>BERT's punctuation: the non-alphanumeric printable ASCII characters, or Unicode category P*.</summary>
    internal static bool IsPunctuation(Rune rune) =>
        rune.Value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
