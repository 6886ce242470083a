using TorchSharp;
using Galt.Data;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// A sequence of tasks of (input, label) tensors, and optionally data to pretrain on: your own
/// (<see cref="FromTasks"/>), class-incremental Split-MNIST (T equal groups of digits, one shared 10-way head, spec §3)
/// or Permuted-MNIST (task t sees every digit through a fixed pixel permutation; task 0 is the identity).
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
    /// Class-incremental Split-MNIST: task i holds digits [i·10/T, (i+1)·10/T) (spec §3); T must divide 10.
    /// </summary>
    public static TaskStream SplitMnist(MnistDataset train, MnistDataset test, int tasks)
    {
        if (tasks < 1 || 10 % tasks != 0) throw new ArgumentException($"Split-MNIST needs a task count that divides 10 (1, 2, 5 or 10); got {tasks}.", nameof(tasks));
        int perTask = 10 / tasks;
        var (trainX, trainY) = train.ToTensors();
        var (testX, testY) = test.ToTensors();
        var list = new List<ContinualTask>();
        using (var scope = NewDisposeScope())
        {
            for (int t = 0; t < tasks; t++)
            {
                int lo = t * perTask, hi = lo + perTask;
                using Scalar low = lo.ToScalar(), high = hi.ToScalar();
                var trainMask = trainY.ge(low).logical_and(trainY.lt(high));
                var testMask = testY.ge(low).logical_and(testY.lt(high));
                list.Add(new ContinualTask(t, perTask == 1 ? $"digit {lo}" : $"digits {lo}-{hi - 1}",
                    trainX[trainMask].MoveToOuterDisposeScope(), trainY[trainMask].MoveToOuterDisposeScope(),
                    testX[testMask].MoveToOuterDisposeScope(), testY[testMask].MoveToOuterDisposeScope()));
            }
        }
        return new TaskStream($"split-mnist-{tasks}", $"class-incremental Split-MNIST, {tasks} tasks of {perTask} digits, shared 10-way head", list, trainX, trainY, testX, testY);
    }

    /// <summary>Permuted-MNIST: task t applies a fixed pixel permutation drawn from <paramref name="seed"/> + t (task 0: none).</summary>
    public static TaskStream PermutedMnist(MnistDataset train, MnistDataset test, int tasks, int seed)
    {
        if (tasks < 1) throw new ArgumentException($"Permuted-MNIST needs at least one task; got {tasks}.", nameof(tasks));
        var (trainX, trainY) = train.ToTensors();
        var (testX, testY) = test.ToTensors();
        var list = new List<ContinualTask>();
        using (var scope = NewDisposeScope())
        {
            for (int t = 0; t < tasks; t++)
            {
                var order = Enumerable.Range(0, MnistDataset.PixelsPerImage).Select(i => (long)i).ToArray();
                if (t > 0) new Random(seed * 7919 + t).Shuffle(order);
                var permutation = tensor(order);
                list.Add(new ContinualTask(t, t == 0 ? "original pixels" : $"permutation {t}",
                    trainX.index_select(1, permutation).MoveToOuterDisposeScope(), trainY.clone().MoveToOuterDisposeScope(),
                    testX.index_select(1, permutation).MoveToOuterDisposeScope(), testY.clone().MoveToOuterDisposeScope()));
            }
        }
        // Pretraining on the unpermuted images, as Split-MNIST pretrains on all (unpermuted) training data.
        return new TaskStream($"permuted-mnist-{tasks}", $"Permuted-MNIST, {tasks} tasks (task 0 unpermuted, permutation seed {seed}), all 10 digits per task",
            list, trainX, trainY, testX, testY);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Tasks) t.Dispose();
        PretrainX.Dispose(); PretrainY.Dispose(); AllTestX.Dispose(); AllTestY.Dispose();
    }
}
