using Galt.Checkpoints;
using Galt.Models;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// A continual-learning method as a set of hooks around one shared training loop (in the spirit of Avalanche):
/// <see cref="Attach"/> once, then per task <see cref="BeforeTask"/>, <see cref="Step"/> per minibatch,
/// <see cref="AfterTask"/>. Every strategy is scored by the same <see cref="ContinualTrainer"/> and
/// <see cref="ContinualMetrics"/>.
/// </summary>
public abstract class Strategy : IDisposable, ICheckpointable
{
    /// <summary>Short name used in reports and summary keys, e.g. <c>ewc</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Hyperparameters, as reported.</summary>
    public abstract IReadOnlyDictionary<string, string> Hyperparameters { get; }

    /// <summary>The model being trained (inputs → class scores); set by <see cref="Attach"/>.</summary>
    protected nn.Module<Tensor, Tensor> Model { get; private set; } = null!;

    /// <summary>Its trainable parameters with names.</summary>
    protected (string Name, TorchSharp.Modules.Parameter Parameter)[] Trainable { get; private set; } = Array.Empty<(string, TorchSharp.Modules.Parameter)>();

    /// <summary>
    /// Plugins composed with this strategy (e.g. replay beside a retention constraint): the trainer runs their hooks
    /// after the strategy's and passes each minibatch through them before <see cref="Step"/>. The strategy disposes them.
    /// </summary>
    public IReadOnlyList<IStrategyPlugin> Plugins { get; init; } = Array.Empty<IStrategyPlugin>();

    /// <summary><see cref="Name"/> with the plugins', e.g. <c>galt+replay</c>.</summary>
    public string ComposedName => Name + string.Concat(Plugins.Select(p => "+" + p.Name));

    /// <summary><see cref="Hyperparameters"/> with each plugin's, prefixed by its name.</summary>
    public IReadOnlyDictionary<string, string> ComposedHyperparameters => Plugins.Count == 0 ? Hyperparameters
        : Hyperparameters.Concat(Plugins.SelectMany(p => p.Hyperparameters.Select(kv => KeyValuePair.Create($"{p.Name}.{kv.Key}", kv.Value))))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Full backward passes through the network.</summary>
    public long GlobalBackprops { get; protected set; }

    /// <summary>Local-only (block-local) backward passes.</summary>
    public long LocalBackprops { get; protected set; }

    /// <summary>Binds the strategy to the model it trains; creates optimizers.</summary>
    public void Attach(nn.Module<Tensor, Tensor> model)
    {
        Model = model;
        Trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToArray();
        OnAttach();
    }

    /// <summary>Creates the strategy's optimizers once the model is known.</summary>
    protected abstract void OnAttach();

    /// <summary>Called before the first step of a task.</summary>
    public virtual void BeforeTask(TaskContext context) { }

    /// <summary>One update on a minibatch of the current task.</summary>
    public abstract void Step(Tensor x, Tensor y, TaskContext context);

    /// <summary>Called after the last step of a task (e.g. to snapshot Fisher information or anchor sets).</summary>
    public virtual void AfterTask(TaskContext context) { }

    /// <summary>Constraint trajectories and certificate, for the strategies that have constraints.</summary>
    public virtual ConstraintTrace? Constraints => null;

    /// <summary>
    /// Whether this strategy writes all of its state (optimizers, memories, anchors, generators) into a checkpoint, so a
    /// resumed run equals the uninterrupted one. The trainer refuses to checkpoint a strategy that does not.
    /// </summary>
    public virtual bool CanCheckpoint => false;

    /// <summary>
    /// Writes the strategy's state beyond the model (which the trainer checkpoints): the backprop counters here,
    /// optimizers and memories in overrides (which call this base).
    /// </summary>
    public virtual void Save(CheckpointWriter writer)
    {
        if (!CanCheckpoint) throw new NotSupportedException($"strategy '{Name}' cannot be checkpointed: it does not write its whole state.");
        writer.Longs("backprops", new[] { GlobalBackprops, LocalBackprops });
    }

    /// <summary>
    /// Reads and checks what <see cref="Save"/> wrote, into a strategy attached to a fresh model that has not trained yet
    /// (a resumed run); returns the action that applies it.
    /// </summary>
    public virtual Action Prepare(CheckpointReader reader)
    {
        if (!CanCheckpoint) throw new NotSupportedException($"strategy '{Name}' cannot be checkpointed: it does not write its whole state.");
        var counts = reader.Longs("backprops");
        if (counts.Length != 2 || counts.Any(c => c < 0)) throw reader.Error("backprops", "not two non-negative counters.");
        return () => { GlobalBackprops = counts[0]; LocalBackprops = counts[1]; };
    }

    /// <summary>Combines a base class's prepared action with an override's.</summary>
    protected static Action Then(Action first, Action second) => () => { first(); second(); };

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        foreach (var plugin in Plugins) plugin.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases optimizers and memories.</summary>
    protected virtual void Dispose(bool disposing) { }
}
