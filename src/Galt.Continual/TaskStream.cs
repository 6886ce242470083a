using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// A sequence of tasks of (input, label) tensors, and optionally data to pretrain on (<see cref="FromTasks"/>,
/// <see cref="Create"/>).
/// </summary>
public sealed class TaskStream : IDisposable
{
    private TaskStream(string name, string description, IReadOnlyList<ContinualTask> tasks, Tensor pretrainX, Tensor pretrainY, Tensor testX, Tensor testY)
    {
        Name = name; Description = description; Tasks = tasks;
        PretrainX = pretrainX.DetachFromDisposeScope(); PretrainY = pretrainY.DetachFromDisposeScope();
        AllTestX = testX.DetachFromDisposeScope(); AllTestY = testY.DetachFromDisposeScope();
    }

    /// <summary>e.g. "split-mnist-2".</summary>
    public string Name { get; }

    /// <summary>One sentence for reports.</summary>
    public string Description { get; }

    /// <summary>The tasks in order.</summary>
    public IReadOnlyList<ContinualTask> Tasks { get; }

    /// <summary>
    /// A stream of your own tasks (any input shape the model takes; labels are class indices); owns them. No pretraining
    /// data: <see cref="PretrainX"/> is empty. <see cref="AllTestX"/> concatenates the tasks' test sets.
    /// </summary>
    public static TaskStream FromTasks(string name, string description, IReadOnlyList<ContinualTask> tasks)
    {
        if (tasks.Count == 0) throw new ArgumentException("a task stream needs at least one task.", nameof(tasks));
        for (int i = 0; i < tasks.Count; i++)
            if (tasks[i].Index != i) throw new ArgumentException($"task {i} ('{tasks[i].Name}') has index {tasks[i].Index}; tasks must be indexed 0, 1, … in order.", nameof(tasks));
        using var scope = NewDisposeScope();
        var testX = cat(tasks.Select(t => t.TestX).ToArray()).MoveToOuterDisposeScope();
        var testY = cat(tasks.Select(t => t.TestY).ToArray()).MoveToOuterDisposeScope();
        var noX = tasks[0].TrainX.narrow(0, 0, 0).clone().MoveToOuterDisposeScope();
        var noY = tasks[0].TrainY.narrow(0, 0, 0).clone().MoveToOuterDisposeScope();
        return new TaskStream(name, description, tasks, noX, noY, testX, testY);
    }

    /// <summary>Pretraining images (spec §3 step 2: all training data); empty for <see cref="FromTasks"/>.</summary>
    public Tensor PretrainX { get; }

    /// <summary>Pretraining labels.</summary>
    public Tensor PretrainY { get; }

    /// <summary>All test images (the pretraining accuracy is measured on them).</summary>
    public Tensor AllTestX { get; }

    /// <summary>All test labels.</summary>
    public Tensor AllTestY { get; }

    /// <summary>
    /// A stream with pretraining data and an all-task test set of its own (e.g. the whole test set in its original order,
    /// where the tasks' test sets are subsets or transforms of it); owns every tensor given.
    /// </summary>
    public static TaskStream Create(string name, string description, IReadOnlyList<ContinualTask> tasks, Tensor pretrainX, Tensor pretrainY, Tensor allTestX, Tensor allTestY)
    {
        if (tasks.Count == 0) throw new ArgumentException("a task stream needs at least one task.", nameof(tasks));
        if (pretrainX.shape[0] != pretrainY.shape[0]) throw new ArgumentException($"{pretrainX.shape[0]} pretraining inputs but {pretrainY.shape[0]} labels.", nameof(pretrainY));
        if (allTestX.shape[0] != allTestY.shape[0]) throw new ArgumentException($"{allTestX.shape[0]} test inputs but {allTestY.shape[0]} labels.", nameof(allTestY));
        return new TaskStream(name, description, tasks, pretrainX, pretrainY, allTestX, allTestY);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Tasks) t.Dispose();
        PretrainX.Dispose(); PretrainY.Dispose(); AllTestX.Dispose(); AllTestY.Dispose();
    }
}
