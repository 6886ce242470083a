using Galt.Checkpoints;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// A piece of a continual-learning method that composes with any strategy, as Avalanche's plugins do: replay plus a
/// retention constraint is <c>new GaltStrategy { Plugins = new[] { new ReplayPlugin() } }</c>, not a new subclass. The
/// trainer calls each plugin's hooks after the strategy's own (<see cref="BeforeTask"/>, <see cref="AfterTask"/>), and
/// passes every minibatch through the plugins, in order, before the strategy's step (<see cref="Batch"/>). A plugin
/// writes its whole state into checkpoints, so a resumed run equals the uninterrupted one.
/// </summary>
public interface IStrategyPlugin : ICheckpointable, IDisposable
{
    /// <summary>Short name; the run reports the strategy as <c>strategy+plugin</c>.</summary>
    string Name { get; }

    /// <summary>Hyperparameters, as reported (prefixed by <see cref="Name"/>).</summary>
    IReadOnlyDictionary<string, string> Hyperparameters { get; }

    /// <summary>Called before the first step of a task, after the strategy's own hook.</summary>
    void BeforeTask(TaskContext context);

    /// <summary>The minibatch the strategy trains on, given the one the trainer drew (e.g. with replayed examples added).</summary>
    (Tensor X, Tensor Y) Batch(Tensor x, Tensor y, TaskContext context);

    /// <summary>Called after the last step of a task, after the strategy's own hook.</summary>
    void AfterTask(TaskContext context);
}
