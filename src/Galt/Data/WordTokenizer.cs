using System.Text.RegularExpressions;

namespace Galt.Data;

/// <summary>
/// The release's word tokenizer (spec §6.4, §6.6): lower-case, then the tokens <c>[A-Za-z0-9_']+|[^\sA-Za-z0-9_]</c>
/// (runs of word characters and apostrophes, or any single other non-space character).
/// </summary>
public static partial class WordTokenizer
{
    [GeneratedRegex(@"[A-Za-z0-9_']+|[^\sA-Za-z0-9_]")]
    private static partial Regex TokenPattern();

    /// <summary>The tokens of <paramref name="text"/>, in order.</summary>
    public static IEnumerable<string> Tokens(string text) => TokenPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);
}
