using Galt.Experiments.CurriculumGate;
namespace Galt.Experiments.Text;

/// <summary>
/// Splits text into the string tokens a <see cref="CurriculumVocabulary"/> counts and encodes. Implementations are
/// deterministic: the same text always gives the same tokens.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Short name that identifies the tokenizer (<c>word</c>, <c>cl100k</c>).</summary>
    string Name { get; }

    /// <summary>What the tokenizer does, in one line, for reports.</summary>
    string Description { get; }

    /// <summary>The tokens of <paramref name="text"/>, in order.</summary>
    IEnumerable<string> Tokens(string text);
}
