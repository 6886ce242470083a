using Galt.Continual;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Experiments.Data;

/// <summary>
/// The MNIST task streams of the continual-learning experiments: class-incremental Split-MNIST (T equal groups of
/// digits, one shared 10-way head, spec §3) and Permuted-MNIST (task t sees every digit through a fixed pixel
/// permutation; task 0 is the identity).
/// </summary>
public static class MnistStreams
{
    /// <summary>
    /// Class-incremental Split-MNIST: task i holds digits [i·10/T, (i+1)·10/T) (spec §3); T must divide 10.
    /// </summary>
    public static TaskStream Split(MnistDataset train, MnistDataset test, int tasks)
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
        return TaskStream.Create($"split-mnist-{tasks}", $"class-incremental Split-MNIST, {tasks} tasks of {perTask} digits, shared 10-way head", list, trainX, trainY, testX, testY);
    }

    /// <summary>Permuted-MNIST: task t applies a fixed pixel permutation drawn from <paramref name="seed"/> + t (task 0: none).</summary>
    public static TaskStream Permuted(MnistDataset train, MnistDataset test, int tasks, int seed)
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
        return TaskStream.Create($"permuted-mnist-{tasks}", $"Permuted-MNIST, {tasks} tasks (task 0 unpermuted, permutation seed {seed}), all 10 digits per task",
            list, trainX, trainY, testX, testY);
    }
}
