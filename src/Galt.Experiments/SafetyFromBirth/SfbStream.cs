using Galt.Channels;
using Galt.Continual;
using Galt.Experiments.Data;
using Galt.Experiments.TypedChannels;
using static TorchSharp.torch;

namespace Galt.Experiments.SafetyFromBirth;

/// <summary>
/// The data of one safety-from-birth seed (spec §4 "Data", on our corpus): every Brown passage shuffled with Python
/// <c>random.Random(seed)</c>, cut into four equal contiguous chunks that each mix all four topic classes (tasks differ
/// by sample, not by label set, as the release's AG News chunks); within a chunk the first 20 % is the evaluation pool
/// and the rest the training pool; <c>random.Random(seed + t)</c> shuffles task t's training pool and
/// <c>random.Random(seed + 100 + t)</c> its evaluation pool, and the first <c>perTask</c> of each are taken. The 38 safety
/// prompts follow the task items in one item table, and the safety replay set is the first 8 of them after a
/// <c>random.Random(seed)</c> shuffle. Items are addressed by index (<see cref="ChoiceItemModule"/>).
/// </summary>
public sealed class SfbStream
{
    /// <summary>Tasks in the stream.</summary>
    public const int TaskCount = 4;

    /// <summary>Safety prompts replayed by the safety constraint (spec §2.1: replay_size 8).</summary>
    public const int SafetyReplaySize = 8;

    private SfbStream(IReadOnlyList<ChoiceItem> items, int[][] train, int[][] eval, int[] safety, int[] safetyReplay, int poolSize)
    {
        Items = items; Train = train; Eval = eval; Safety = safety; SafetyReplay = safetyReplay; ChunkSize = poolSize;
    }

    /// <summary>The item table: task items, then the safety prompts.</summary>
    public IReadOnlyList<ChoiceItem> Items { get; }

    /// <summary>Item indices of each task's training samples.</summary>
    public int[][] Train { get; }

    /// <summary>Item indices of each task's evaluation samples.</summary>
    public int[][] Eval { get; }

    /// <summary>Item indices of all safety prompts.</summary>
    public int[] Safety { get; }

    /// <summary>Item indices of the safety replay prompts.</summary>
    public int[] SafetyReplay { get; }

    /// <summary>Passages per chunk.</summary>
    public int ChunkSize { get; }

    /// <summary>Builds seed <paramref name="seed"/>'s stream with <paramref name="perTask"/> training and evaluation samples per task.</summary>
    public static SfbStream Create(IReadOnlyList<BrownPassage> passages, IReadOnlyList<ChoiceItem> safety, int seed, int perTask)
    {
        if (perTask < 1) throw new ArgumentException($"--per-task must be at least 1; got {perTask}.");
        if (safety.Count == 0) throw new ArgumentException("no safety prompts.");
        var order = passages.ToList();
        new PythonRandom(seed).Shuffle(order);
        int chunk = order.Count / TaskCount, evalPool = chunk / 5;
        if (Math.Min(evalPool, chunk - evalPool) < perTask)
            throw new ArgumentException($"--per-task {perTask} exceeds a chunk's pools ({chunk - evalPool} training, {evalPool} evaluation passages).");
        var items = new List<ChoiceItem>();
        var train = new int[TaskCount][];
        var eval = new int[TaskCount][];
        for (int t = 0; t < TaskCount; t++)
        {
            var part = order.Skip(t * chunk).Take(chunk).ToList();
            var evalSide = part.Take(evalPool).ToList();
            var trainSide = part.Skip(evalPool).ToList();
            new PythonRandom(seed + t).Shuffle(trainSide);
            new PythonRandom(seed + 100 + t).Shuffle(evalSide);
            train[t] = Append(items, trainSide.Take(perTask));
            eval[t] = Append(items, evalSide.Take(perTask));
        }
        int first = items.Count;
        items.AddRange(safety);
        var safetyIndices = Enumerable.Range(first, safety.Count).ToArray();
        var shuffled = safetyIndices.ToList();
        new PythonRandom(seed).Shuffle(shuffled);
        return new SfbStream(items, train, eval, safetyIndices, shuffled.Take(Math.Min(SafetyReplaySize, shuffled.Count)).ToArray(), chunk);
    }

    private static int[] Append(List<ChoiceItem> items, IEnumerable<BrownPassage> passages)
    {
        int start = items.Count;
        items.AddRange(passages.Select(TypedChannelData.TaskItem));
        return Enumerable.Range(start, items.Count - start).ToArray();
    }

    /// <summary>The task stream over item indices (inputs) and labels.</summary>
    public TaskStream Tasks() => TaskStream.FromTasks("brown-chunks", $"{TaskCount} seeded chunks of the Brown passages, each mixing all four topic classes",
        Enumerable.Range(0, TaskCount).Select(t => new ContinualTask(t, $"chunk {t}", Indices(Train[t]), Labels(Train[t]), Indices(Eval[t]), Labels(Eval[t]))).ToArray());

    /// <summary>Indices as an int64 tensor.</summary>
    public static Tensor Indices(IEnumerable<int> indices) => tensor(indices.Select(i => (long)i).ToArray());

    /// <summary>The labels of the items at <paramref name="indices"/>.</summary>
    public Tensor Labels(IEnumerable<int> indices) => tensor(indices.Select(i => (long)Items[i].Label).ToArray());

    /// <summary>0/1 mask [prompts, options] of the options other than each prompt's safe one (spec §2.2's forbidden set).</summary>
    public Tensor UnsafeOptions(IReadOnlyList<int> prompts)
    {
        int options = Items[prompts[0]].Options.Count;
        var mask = new float[prompts.Count, options];
        for (int p = 0; p < prompts.Count; p++)
            for (int k = 0; k < options; k++) mask[p, k] = k == Items[prompts[p]].Label ? 0 : 1;
        return tensor(mask);
    }
}
