using System.Runtime.CompilerServices;
using Galt.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Galt.Tests.Runtime;

public class FinalizedTorchObjectsTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(int tensors, int scalars)
    {
        for (var i = 0; i < tensors; i++) _ = ones(3);
        for (var i = 0; i < scalars; i++) _ = (2.5).ToScalar();
    }

    [Fact]
    public void CountsAbandonedTensorsAndScalarsByType()
    {
        using var watch = new FinalizedTorchObjects();
        watch.Settle();
        watch.Reset();

        Abandon(tensors: 5, scalars: 3);
        watch.Settle();

        Assert.True(watch.Listening);
        Assert.Equal(5, watch.ByType.GetValueOrDefault("Tensor"));
        Assert.Equal(3, watch.ByType.GetValueOrDefault("Scalar"));
        Assert.Equal(8, watch.Count);
    }

    [Fact]
    public void DisposedObjectsAreNotCounted()
    {
        using var watch = new FinalizedTorchObjects();
        watch.Settle();
        watch.Reset();

        using (var scope = NewDisposeScope())
        {
            for (var i = 0; i < 5; i++) _ = ones(3) * ones(3);
        }
        using (var s = (2.5).ToScalar()) { }
        watch.Settle();

        Assert.Equal(0, watch.Count);
    }
}

