namespace Galt.Continual.Strategies;

/// <summary>
/// Adam baselines that keep examples of finished tasks (GALT's budget: 200 per task) and draw from them with a
/// per-task seeded generator: <c>replay</c> and <c>agem</c>.
/// </summary>
public abstract class MemoryStrategy : AdamStrategy
{
    /// <summary>The stored examples.</summary>
    protected ReplayMemory Memory { get; } = new();

    /// <summary>Draws from memory; reseeded at every task.</summary>
    protected Random Draw => _draw;

    private Galt.Checkpoints.ReplayableRandom _draw = new(0);

    /// <summary>Distinguishes the draw seeds of different strategies.</summary>
    protected abstract int DrawSalt { get; }

    /// <inheritdoc />
    public override void BeforeTask(TaskContext context) => _draw = new Galt.Checkpoints.ReplayableRandom(unchecked(context.Seed * DrawSalt + context.Task.Index));

    /// <inheritdoc />
    public override void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        base.Save(writer);
        writer.Part("memory", Memory);
        writer.Part("draw", _draw);
    }

    /// <inheritdoc />
    public override Action Prepare(Galt.Checkpoints.CheckpointReader reader) =>
        Then(base.Prepare(reader), Then(reader.Part("memory", Memory), reader.Part("draw", _draw)));

    /// <inheritdoc />
    public override void AfterTask(TaskContext context)
    {
        if (!context.IsLastTask) Memory.Add(context.Task, context.Seed);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Memory.Dispose();
        base.Dispose(disposing);
    }
}
