using static TorchSharp.torch;

namespace Galt.Continual;

/// <summary>One experience of a task stream: its training and test tensors (images [n, 784] normalised, labels [n]).</summary>
public sealed class ContinualTask : IDisposable
{
    /// <summary>Creates the task; the tensors are taken over (and disposed with it).</summary>
    public ContinualTask(int index, string name, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY)
    {
        Index = index; Name = name;
        TrainX = trainX.DetachFromDisposeScope(); TrainY = trainY.DetachFromDisposeScope();
        TestX = testX.DetachFromDisposeScope(); TestY = testY.DetachFromDisposeScope();
    }

    /// <summary>Position in the stream, from 0.</summary>
    public int Index { get; }

    /// <summary>e.g. "digits 0-4" or "permutation 1".</summary>
    public string Name { get; }

    /// <summary>Training images.</summary>
    public Tensor TrainX { get; }

    /// <summary>Training labels.</summary>
    public Tensor TrainY { get; }

    /// <summary>Test images.</summary>
    public Tensor TestX { get; }

    /// <summary>Test labels.</summary>
    public Tensor TestY { get; }

    /// <summary>Training examples.</summary>
    public long TrainCount => TrainX.shape[0];

    /// <summary>Test examples.</summary>
    public long TestCount => TestX.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        TrainX.Dispose(); TrainY.Dispose(); TestX.Dispose(); TestY.Dispose();
    }
}
