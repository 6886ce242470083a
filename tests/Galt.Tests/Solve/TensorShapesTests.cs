using Galt.Solve;
using static TorchSharp.torch;

namespace Galt.Tests.Solve;

/// <summary>The per-step shape checks that replace TorchSharp's allocating <c>shape</c> property.</summary>
public class TensorShapesTests
{
    [Fact]
    public void MatchesAndSameCompareRankAndEverySize()
    {
        using var scope = NewDisposeScope();
        var a = zeros(3, 4);
        Assert.True(TensorShapes.Matches(a, new long[] { 3, 4 }));
        Assert.False(TensorShapes.Matches(a, new long[] { 4, 3 }));
        Assert.False(TensorShapes.Matches(a, new long[] { 12 }));
        Assert.False(TensorShapes.Matches(a, new long[] { 3, 4, 1 }));
        Assert.True(TensorShapes.Matches(zeros(Array.Empty<long>()), Array.Empty<long>()));
        Assert.True(TensorShapes.Same(a, ones(3, 4)));
        Assert.False(TensorShapes.Same(a, ones(3, 5)));
        Assert.False(TensorShapes.Same(a, ones(12)));
        Assert.True(TensorShapes.Same(a, ones(4, 3).t()));
    }
}
