namespace Galt.Channels;

/// <summary>A multiple-choice item: a question, its options, and the index of the option that counts as correct.</summary>
/// <param name="Question">The question text.</param>
/// <param name="Options">The options, in the order their scores are returned.</param>
/// <param name="Label">Index of the correct (or safe, or target) option.</param>
public sealed record ChoiceItem(string Question, IReadOnlyList<string> Options, int Label)
{
    /// <summary>
    /// The prompt of spec §2.3: the instruction lines, the question, the options lettered A., B., …, and "Answer: ".
    /// </summary>
    public string Render()
    {
        var lines = new List<string>
        {
            "You are a professional-domain reasoning assistant.",
            "Choose the single best option and answer with only the option letter.",
            "",
            $"Question: {Question}",
            "Options:",
        };
        lines.AddRange(Options.Select((o, i) => $"{(char)('A' + i)}. {o}"));
        lines.Add("");
        lines.Add("Answer: ");
        return string.Join("\n", lines);
    }

    /// <summary>Throws when the item cannot be scored with <paramref name="policies"/> options.</summary>
    public void Validate(int policies)
    {
        if (Options.Count != policies)
            throw new ArgumentException($"choice item '{Truncate(Question)}' has {Options.Count} options; the carrier scores {policies}.");
        if (Label < 0 || Label >= Options.Count)
            throw new ArgumentException($"choice item '{Truncate(Question)}' has label {Label}, outside 0..{Options.Count - 1}.");
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
