using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Experiments.ChartCorrection;

/// <summary>
/// The chart-correction experiment's data (docs/maps.md, after ../shared/notes/maps.md): 48-dimensional descriptors
/// drawn around 7 Gaussian cluster centres — 4 known clusters answered 0–3, 2 out-of-distribution clusters answered
/// <c>ask_teacher</c>, 1 unsafe cluster answered <c>refuse</c>; 3,300 training and 1,100 test descriptors. Centres are
/// N(0, 3²·I), descriptors their centre plus N(0, I) noise, everything from one seeded generator.
/// </summary>
/// <param name="Centres">[7, 48] cluster centres.</param>
/// <param name="Train">The training descriptors.</param>
/// <param name="Test">The test descriptors.</param>
internal sealed record ChartCorrectionData(Tensor Centres, ChartCorrectionData.Split Train, ChartCorrectionData.Split Test) : IDisposable
{
    public const int Dimension = 48, Clusters = 7, Classes = 6, AskTeacher = 4, Refuse = 5;

    /// <summary>The answer each class index stands for.</summary>
    public static readonly string[] ClassNames = { "answer0", "answer1", "answer2", "answer3", "ask_teacher", "refuse" };

    /// <summary>Descriptors per cluster: known clusters 600 train / 200 test, the others 300 / 100.</summary>
    public static int TrainCount(int cluster) => cluster < 4 ? 600 : 300;

    /// <inheritdoc cref="TrainCount"/>
    public static int TestCount(int cluster) => cluster < 4 ? 200 : 100;

    /// <summary>The class of a cluster: 0–3 itself, 4 and 5 ask_teacher, 6 refuse.</summary>
    public static long ClassOf(int cluster) => cluster < 4 ? cluster : cluster < 6 ? AskTeacher : Refuse;

    /// <summary>Descriptors X [n, 48], classes Y [n] and the cluster each came from [n].</summary>
    internal sealed record Split(Tensor X, Tensor Y, Tensor Cluster) : IDisposable
    {
        public void Dispose()
        {
            X.Dispose();
            Y.Dispose();
            Cluster.Dispose();
        }
    }

    /// <summary>Draws the data from <paramref name="seed"/>.</summary>
    public static ChartCorrectionData Generate(long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var centres = randn(new long[] { Clusters, Dimension }, generator: generator).Times(3.0);
        Split Draw(Func<int, int> count)
        {
            var xs = new List<Tensor>();
            var ys = new List<long>();
            var cs = new List<long>();
            for (int c = 0; c < Clusters; c++)
            {
                int n = count(c);
                xs.Add(randn(new long[] { n, Dimension }, generator: generator).Plus(centres[c].unsqueeze(0)));
                ys.AddRange(Enumerable.Repeat(ClassOf(c), n));
                cs.AddRange(Enumerable.Repeat((long)c, n));
            }
            return new Split(cat(xs.ToArray()).MoveToOuterDisposeScope(), tensor(ys.ToArray()).MoveToOuterDisposeScope(), tensor(cs.ToArray()).MoveToOuterDisposeScope());
        }
        var train = Draw(TrainCount);
        var test = Draw(TestCount);
        return new ChartCorrectionData(centres.MoveToOuterDisposeScope(), train, test);
    }

    public void Dispose()
    {
        Centres.Dispose();
        Train.Dispose();
        Test.Dispose();
    }
}
