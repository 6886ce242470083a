namespace Galt.Continual.Strategies;

/// <summary>
/// Adam baselines that keep examples of finished tasks (GALT's budget: 200 per task) and draw from them with a
/// per-task seeded generator: <c>replay</c> and <c>agem</c>.
/// </summary>
public abstract class MemoryStrategy : AdamStrategy
{
    private SeededReplay? _replay;

    /// <summary>The stored examples and their per-task draw (created on first use, with <see cref="DrawSalt"/>).</summary>
    private protected SeededReplay Replay => _replay ??= new SeededReplay(DrawSalt);

    /// <summary>The stored examples.</summary>
    protected ReplayMemory Memory => Replay.Memory;

    /// <summary>Draws from memory; reseeded at every task.</summary>
    protected Random Draw => Replay.Draw;

    /// <summary>Distinguishes the draw seeds of different strategies.</summary>
    protected abstract int DrawSalt { get; }

    /// <inheritdoc />
    public override void BeforeTask(TaskContext context) => Replay.BeginTask(context);

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        Replay.Save(writer);
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader) => Then(base.Prepare(reader), Replay.Prepare(reader));

    /// <inheritdoc />
    public override void AfterTask(TaskContext context) => Replay.EndTask(context);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _replay?.Dispose();
        base.Dispose(disposing);
    }
}
