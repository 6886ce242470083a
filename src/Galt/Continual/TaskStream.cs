using Galt.Data;
using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>
/// A sequence of tasks and the data the network is pretrained on (spec §3): class-incremental Split-MNIST (T equal
/// groups of digits, one shared 10-way head) or Permuted-MNIST (task t sees every digit through a fixed pixel
/// permutation; task 0 is the identity).
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

    /// <summary>Pretraining images (spec §3 step 2: all training data).</summary>
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
                var trainMask = trainY.ge(lo).logical_and(trainY.lt(hi));
                var testMask = testY.ge(lo).logical_and(testY.lt(hi));
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
