using Galt.Channels;
using static TorchSharp.torch;

namespace Galt.Tests.Channels;

public class RouteModeTests
{
    [Fact]
    public void PermutationsAreTheReleasesForEveryBlockOfTheSpec()
    {
        // spec §5.6: random.Random(3000 + b).shuffle([0, 1, 2, 3]) for b = 0..6
        int[][] release = { new[] { 2, 0, 3, 1 }, new[] { 0, 1, 3, 2 }, new[] { 0, 3, 2, 1 }, new[] { 1, 0, 2, 3 }, new[] { 2, 0, 1, 3 }, new[] { 3, 2, 1, 0 }, new[] { 3, 1, 2, 0 } };
        for (int b = 0; b < release.Length; b++) Assert.Equal(release[b], RoutePermutations.For(b, 4));
    }

    [Fact]
    public void PythonRandomShufflesAsCPythonDoesForOtherSizesAndLargeSeeds()
    {
        // Values printed by CPython 3.11: random.Random(3000).shuffle(list(range(6))), random.Random(2**40 + 5).shuffle(list(range(10))),
        // random.Random(3007).shuffle([0, 1, 2, 3]).
        Assert.Equal(new[] { 3, 4, 0, 2, 1, 5 }, RoutePermutations.For(0, 6));
        var big = Enumerable.Range(0, 10).ToArray();
        new PythonRandom((1L << 40) + 5).Shuffle(big);
        Assert.Equal(new[] { 1, 2, 3, 6, 7, 0, 5, 4, 9, 8 }, big);
        Assert.Equal(new[] { 0, 3, 1, 2 }, RoutePermutations.For(7, 4));
    }

    [Fact]
    public void EachModeTransformsTheBlockAndOutputRoutesAsSpecified()
    {
        using var scope = NewDisposeScope();
        var transform = new RouteTransform(blocks: 3, policies: 4);
        var r = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }).unsqueeze(0);
        float[] Of(Tensor t) => t.squeeze(0).data<float>().ToArray();
        float[] Permuted(int[] pi) => pi.Select(i => Of(r)[i]).ToArray();
        var pi1 = RoutePermutations.For(1, 4);
        var piLast = RoutePermutations.For(2, 4);

        Assert.Equal(Of(r), Of(transform.ForBlock(r, 1, RouteMode.Normal)));
        Assert.Equal(Of(r), Of(transform.ForOutput(r, RouteMode.Normal)));
        Assert.All(Of(transform.ForBlock(r, 1, RouteMode.Zero)), v => Assert.Equal(0.25f, v));
        Assert.All(Of(transform.ForOutput(r, RouteMode.Zero)), v => Assert.Equal(0.25f, v));
        Assert.Equal(Permuted(pi1), Of(transform.ForBlock(r, 1, RouteMode.Scramble)));
        Assert.Equal(Permuted(piLast), Of(transform.ForOutput(r, RouteMode.Scramble)));
        Assert.Equal(Permuted(pi1), Of(transform.ForBlock(r, 1, RouteMode.ScrambleBlocksOnly)));
        Assert.Equal(Of(r), Of(transform.ForOutput(r, RouteMode.ScrambleBlocksOnly)));
        Assert.Equal(Of(r), Of(transform.ForBlock(r, 1, RouteMode.ScrambleOutputOnly)));
        Assert.Equal(Permuted(piLast), Of(transform.ForOutput(r, RouteMode.ScrambleOutputOnly)));
    }
}
