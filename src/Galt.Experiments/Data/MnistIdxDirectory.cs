using Galt.Continual;
namespace Galt.Experiments.Data;

/// <summary>
/// A folder holding the four standard MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), each raw or with a .gz suffix; the dotted spelling
/// (train-images.idx3-ubyte) some mirrors use is accepted too.
/// </summary>
public static class MnistIdxDirectory
{
    /// <summary>The four standard file names, without compression suffix.</summary>
    public static readonly IReadOnlyList<string> StandardNames = new[]
    {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    };

    /// <summary>Loads the standard 60,000 / 10,000 train/test split from <paramref name="directory"/>.</summary>
    public static MnistSplit Load(string directory, IProgressSink? progress = null)
    {
        if (!Directory.Exists(directory))
            throw new GaltDataException($"--data-dir {directory}: folder not found. It must hold the four MNIST IDX files ({string.Join(", ", StandardNames)}), raw or .gz.");
        string trainImages = Find(directory, StandardNames[0]);
        string trainLabels = Find(directory, StandardNames[1]);
        string testImages = Find(directory, StandardNames[2]);
        string testLabels = Find(directory, StandardNames[3]);
        using var task = (progress ?? NullProgress.Instance).Start("Reading MNIST IDX files", 2);
        var train = IdxReader.ReadPair(trainImages, trainLabels, $"MNIST IDX train files in {directory}");
        task.Advance(1);
        var test = IdxReader.ReadPair(testImages, testLabels, $"MNIST IDX test files in {directory}");
        task.Advance(1);
        string description = $"MNIST IDX files in {Path.GetFullPath(directory)}: standard split, {train.Count:N0} train / {test.Count:N0} test";
        return new MnistSplit(train, test, $"MNIST IDX files in {Path.GetFullPath(directory)}", description, "idx", splitSeed: null);
    }

    private static string Find(string directory, string name)
    {
        string dotted = name.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { name, name + ".gz", dotted, dotted + ".gz" })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new GaltDataException($"--data-dir {directory}: no {name} (or {name}.gz) in the folder; it must hold the four MNIST IDX files ({string.Join(", ", StandardNames)}).");
    }
}
