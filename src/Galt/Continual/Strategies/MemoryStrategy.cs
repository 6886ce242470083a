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
    protected Random Draw { get; private set; } = new(0);

    /// <summary>Distinguishes the draw seeds of different strategies.</summary>
    protected abstract int DrawSalt { get; }

    /// <inheritdoc />
    public override void BeforeTask(TaskContext context) => Draw = new Random(unchecked(context.Seed * DrawSalt + context.Task.Index));

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
