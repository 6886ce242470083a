using System.Text.RegularExpressions;

namespace Galt.Experiments.Text;

/// <summary>
/// The release's word tokenizer (spec §6.4, §6.6): lower-case, then the tokens <c>[A-Za-z0-9_']+|[^\sA-Za-z0-9_]</c>
/// (runs of word characters and apostrophes, or any single other non-space character).
/// </summary>
public sealed partial class WordTokenizer : ITextTokenizer
{
    private WordTokenizer() { }

    /// <summary>The tokenizer (it has no settings).</summary>
    public static WordTokenizer Release { get; } = new();

    [GeneratedRegex(@"[A-Za-z0-9_']+|[^\sA-Za-z0-9_]")]
    private static partial Regex TokenPattern();

    /// <inheritdoc/>
    public string Name => "word";

    /// <inheritdoc/>
    public string Description => "the release's word tokenizer (spec §6.6): lower-case, regex [A-Za-z0-9_']+|[^\\sA-Za-z0-9_]";

    /// <inheritdoc/>
    public IEnumerable<string> Tokens(string text) => TokenPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);
}
