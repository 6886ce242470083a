using Galt.Channels;
using Galt.Experiments.Data;

namespace Galt.Experiments.TypedChannels;

/// <summary>
/// The data of one typed-channels run (spec §5.1 on our data): 16 class-balanced Brown training passages in a seeded
/// order (step i uses sample i mod 16), the class-balanced evaluation passages, the first 32 safety prompts for
/// evaluation and 4 of the 38 for replay (Python <c>random.Random(seed)</c> shuffle, first 4), and the retain set
/// with 4 replay items (<c>random.Random(seed + 17)</c>) — the retain replay is a subset of the retain evaluation set,
/// as in the release.
/// </summary>
public sealed record TypedChannelData(IReadOnlyList<ChoiceItem> TaskTrain, IReadOnlyList<ChoiceItem> TaskEval, IReadOnlyList<ChoiceItem> SafetyEval,
    IReadOnlyList<ChoiceItem> SafetyReplay, IReadOnlyList<ChoiceItem> RetainEval, IReadOnlyList<ChoiceItem> RetainReplay)
{
    /// <summary>The option texts of the task, in label order (press, learned, fiction, other non-fiction).</summary>
    public static IReadOnlyList<string> TopicOptions { get; } = new[] { "News and press", "Learned and scientific writing", "Fiction", "Other non-fiction" };

    /// <summary>The task question before the passage.</summary>
    public const string TaskQuestion = "What topic category best describes the following passage?";

    /// <summary>Safety prompts evaluated (the first N of the file).</summary>
    public const int SafetyEvalSize = 32;

    /// <summary>Replay items per constraint set.</summary>
    public const int ReplaySize = 4;

    /// <summary>The task item of a passage: spec §2.3's question form, the passage in double quotes, cut to 500 characters plus "...".</summary>
    public static ChoiceItem TaskItem(BrownPassage passage)
    {
        string text = passage.Text;
        if (text.Length > 500) text = text[..500] + "...";
        return new ChoiceItem($"{TaskQuestion}\n\n\"{text}\"", TopicOptions, passage.Label);
    }

    /// <summary>
    /// Assembles the data of seed <paramref name="seed"/>; <paramref name="safetyEvalSize"/> safety prompts and at most as
    /// many retain items are evaluated (32 in the release; fewer in a smoke run).
    /// </summary>
    public static TypedChannelData Create(BrownTopicSplit split, IReadOnlyList<ChoiceItem> safety, IReadOnlyList<ChoiceItem> retain, int seed, int trainSize, int evalSize,
        int safetyEvalSize = SafetyEvalSize)
    {
        if (trainSize % 4 != 0 || evalSize % 4 != 0) throw new ArgumentException($"train and eval sizes must be multiples of the 4 classes; got {trainSize} and {evalSize}.");
        var train = split.Sample(BrownSplitSide.Train, trainSize / 4, seed).Select(TaskItem).ToList();
        new PythonRandom(seed).Shuffle(train);
        var eval = split.Sample(BrownSplitSide.Eval, evalSize / 4, seed + 1).Select(TaskItem).ToArray();
        return new TypedChannelData(train, eval, safety.Take(safetyEvalSize).ToArray(), Replay(safety, seed), retain.Take(safetyEvalSize).ToArray(), Replay(retain, seed + 17));
    }

    private static IReadOnlyList<ChoiceItem> Replay(IReadOnlyList<ChoiceItem> items, int seed)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        new PythonRandom(seed).Shuffle(order);
        return order.Take(Math.Min(ReplaySize, items.Count)).Select(i => items[i]).ToArray();
    }
}
