using Galt.Checkpoints;
using Galt.Continual;
using TorchSharp;

namespace Galt.Experiments;

/// <summary>
/// What makes a long experiment resumable: its work is a sequence of named units (a pretraining, one strategy's run on
/// one stream and seed, one probe of a search). A finished unit's result is kept in the run folder with the random
/// generator state it left behind; an unfinished strategy run is checkpointed every <see cref="CheckpointEvery"/>
/// steps. Run again on the same folder, the experiment takes finished units from the journal, continues the unfinished
/// one from its last checkpoint, and ends bit for bit as the uninterrupted run would have (wall times aside).
/// </summary>
public sealed class RunJournal
{
    /// <summary>
    /// Steps between checkpoints when a run gives no --checkpoint-every (experiments that support the journal
    /// checkpoint by default, so that a run killed from outside loses at most this many steps of one unit).
    /// </summary>
    public const int DefaultCheckpointEvery = 20;

    /// <summary>Keeps the journal in <paramref name="folder"/> (created when missing).</summary>
    public RunJournal(string folder, int checkpointEvery)
    {
        if (checkpointEvery < 1) throw new ArgumentException($"--checkpoint-every must be at least 1 step; got {checkpointEvery}.");
        Folder = folder;
        CheckpointEvery = checkpointEvery;
        Directory.CreateDirectory(folder);
    }

    /// <summary>The folder holding the checkpoints and finished units.</summary>
    public string Folder { get; }

    /// <summary>Steps between checkpoints of a strategy run.</summary>
    public int CheckpointEvery { get; }

    /// <summary>Units taken from the journal instead of being run (finished before an interruption).</summary>
    public int Reused { get; private set; }

    /// <summary>Units continued from a mid-run checkpoint.</summary>
    public int Continued { get; private set; }

    /// <summary>
    /// Stop the strategy run whose key is <c>Key</c> after its step <c>Step</c>, as an interruption would (for drills and
    /// tests of resuming): the run then throws <see cref="OperationCanceledException"/>. Null: never.
    /// </summary>
    public (string Key, long Step)? InterruptAt { get; init; }

    /// <summary>The keys of the units in the order this process met them.</summary>
    public IReadOnlyList<string> Keys => _keys;

    private readonly List<string> _keys = new();

    private string File(string key, string suffix) => Path.Combine(Folder, key.Replace('/', Path.DirectorySeparatorChar) + suffix);

    /// <summary>
    /// One strategy run: from the journal when it finished before, else <paramref name="run"/> with checkpointing (or
    /// without, for a strategy that cannot write its state: it then restarts from its beginning on resume).
    /// </summary>
    public StrategyResult Strategy(string key, Func<ContinualCheckpointing, StrategyResult> run)
    {
        _keys.Add(key);
        string done = File(key, ".done.galt");
        if (System.IO.File.Exists(done)) return Reuse(done, r => StrategyResult.Read(r.Scope("result")));
        string path = File(key, ".galt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (System.IO.File.Exists(path)) Continued++;
        // A strategy that cannot write its state runs without checkpoints (the trainer logs it) and restarts on resume.
        var checkpoints = new ContinualCheckpointing(path, CheckpointEvery)
        {
            Resume = true, FallBackWhenUnsupported = true, StopAfterStep = InterruptAt is { } at && at.Key == key ? at.Step : null,
        };
        var result = run(checkpoints);
        Finish(done, w => result.Save(w.Scope("result")));
        if (System.IO.File.Exists(path)) System.IO.File.Delete(path);
        return result;
    }

    /// <summary>A unit that is not a strategy run (e.g. pretraining): <paramref name="load"/> from the journal, else <paramref name="run"/> then <paramref name="save"/>.</summary>
    public T Unit<T>(string key, Func<T> run, Action<T, CheckpointWriter> save, Func<CheckpointReader, T> load)
    {
        _keys.Add(key);
        string done = File(key, ".done.galt");
        if (System.IO.File.Exists(done)) return Reuse(done, r => load(r.Scope("unit")));
        Directory.CreateDirectory(Path.GetDirectoryName(done)!);
        var value = run();
        Finish(done, w => save(value, w.Scope("unit")));
        return value;
    }

    private T Reuse<T>(string path, Func<CheckpointReader, T> read)
    {
        var reader = new CheckpointReader(CheckpointFile.Read(path), path);
        var value = read(reader);
        reader.Part("torch_random", new TorchRandomState())();
        Reused++;
        return value;
    }

    private static void Finish(string path, Action<CheckpointWriter> write)
    {
        var writer = new CheckpointWriter();
        write(writer);
        writer.Part("torch_random", new TorchRandomState());
        CheckpointFile.Write(path, writer.Entries);
    }
}
