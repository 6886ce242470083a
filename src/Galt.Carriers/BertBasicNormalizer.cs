using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Galt.Carriers;

/// <summary>
/// The text clean-up of the original BERT BasicTokenizer (as in HuggingFace), for Microsoft.ML.Tokenizers' WordPiece:
/// drop U+0000, U+FFFD and every other character of category C* except tab, newline and carriage return; map those and
/// every Zs space to ' '; put spaces around CJK ideographs; lower-case; decompose (NFD) and drop non-spacing marks (Mn).
/// </summary>
/// <remarks>
/// Replaces the library's own BertNormalizer (2.0.1), which differs in ways that change ids: it deletes tab, newline
/// and carriage return (category Cc) instead of treating them as spaces, so words on either side of a line break
/// merge; it keeps format characters (Cf, e.g. soft hyphen, zero-width joiner); it also drops spacing marks (Mc); and it
/// recomposes (NFC) the result, so decomposed Hangul syllables come back whole.
/// </remarks>
internal sealed class BertBasicNormalizer : Normalizer
{
    public static readonly BertBasicNormalizer Instance = new();

    public override string Normalize(string original) => Normalize(original.AsSpan());

    public override string Normalize(ReadOnlySpan<char> original)
    {
        var cleaned = new StringBuilder(original.Length + 8);
        foreach (var rune in original.EnumerateRunes()) // an unpaired surrogate arrives as U+FFFD and is dropped
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD) continue;
            if (IsWhitespace(rune))
            {
                cleaned.Append(' ');
                continue;
            }
            if (IsControl(rune)) continue;
            if (IsCjk(cp)) cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            else cleaned.Append(rune.ToString());
        }
        string decomposed = cleaned.ToString().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var stripped = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) stripped.Append(rune.ToString());
        return stripped.ToString();
    }

    /// <summary>BERT's whitespace: space, tab, newline, carriage return, or any Zs character.</summary>
    internal static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    /// <summary>BERT's control characters: category C* (Cc, Cf, Cs, Co, Cn), except the whitespace ones.</summary>
    private static bool IsControl(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    /// <summary>The CJK Unified Ideographs blocks BERT spaces out (not Hangul, Hiragana or Katakana).</summary>
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
