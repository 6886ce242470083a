using System.Text;

namespace Galt.Experiments.Data;

/// <summary>
/// Rebuilds readable text from Brown tokens: words joined by single spaces, except that closing punctuation
/// (<c>, . ; : ? ! ) ]</c> and the closing quote <c>''</c>) attaches to the word before it and nothing follows an opening
/// <c>(</c>, <c>[</c> or <c>``</c> with a space. The corpus's <c>``</c> and <c>''</c> quote tokens become <c>"</c>.
/// A lone <c>'</c> (opening or closing, the corpus does not say) keeps spaces on both sides.
/// </summary>
public static class BrownText
{
    /// <summary>The tokens as one readable line.</summary>
    public static string Join(IEnumerable<string> words)
    {
        var text = new StringBuilder();
        bool glueNext = true;
        foreach (string word in words)
        {
            if (!glueNext && !AttachesLeft(word)) text.Append(' ');
            text.Append(word is "``" or "''" ? "\"" : word);
            glueNext = word is "(" or "[" or "``";
        }
        return text.ToString();
    }

    private static bool AttachesLeft(string word) => word is "," or "." or ";" or ":" or "?" or "!" or ")" or "]" or "''";
}
