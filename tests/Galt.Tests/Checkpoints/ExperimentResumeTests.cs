using System.Text.Json;
using Galt.Tests.Cli;
using Galt.Tests.Data;

namespace Galt.Tests.Checkpoints;

/// <summary>
/// <c>galt run split-mnist --checkpoint-every N</c> interrupted inside the galt strategy's run (pretraining, the
/// soft-penalty sweep and five strategies already finished) and continued with <c>--resume</c> reports the same figures
/// as the uninterrupted run, to the bit, into the same folder.
/// </summary>
public class ExperimentResumeTests
{
    private static Dictionary<string, double> Figures(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "result.json")));
        return doc.RootElement.GetProperty("summary").EnumerateObject()
            .Where(p => !p.Name.EndsWith("seconds", StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }

    [Fact]
    public void AnInterruptedSplitMnistRunResumesToTheSameFigures()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 600, testCount: 200);
        string plainRoot = TempDir.Create(), root = TempDir.Create();
        var (exit, _) = CliTests.Invoke("run", "split-mnist", "--quick", "--data-dir", data, "--out", plainRoot);
        Assert.Equal(0, exit);

        var (interrupted, text) = CliTests.Invoke("run", "split-mnist", "--quick", "--data-dir", data, "--out", root, "--checkpoint-every", "4",
            "--interrupt-at", "split-2/seed0/galt@6");
        Assert.Equal(3, interrupted);
        Assert.Contains("--resume", text);
        string runDir = Assert.Single(Directory.GetDirectories(root));
        Assert.True(File.Exists(Path.Combine(runDir, "run.toml")));
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "split-2", "seed0", "galt.galt")));   // the step-4 checkpoint
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "split-2", "seed0", "agem.done.galt")));

        var (refused, message) = CliTests.Invoke("run", "split-mnist", "--resume", runDir, "--seeds", "2");
        Assert.Equal(2, refused);
        Assert.Contains("give no other options", message);

        var (resumed, output) = CliTests.Invoke("run", "split-mnist", "--resume", runDir);
        Assert.Equal(0, resumed);
        Assert.Contains("continued from a checkpoint", output);
        Assert.False(Directory.Exists(Path.Combine(runDir, "checkpoints")));
        var plain = Figures(Assert.Single(Directory.GetDirectories(plainRoot)));
        Assert.Contains("galt.max_violation", plain.Keys);
        Assert.Equal(plain, Figures(runDir));
    }

    [Fact]
    public void ACorruptCheckpointIsRefusedOnResumeNamingTheFileAndIsLeftAsItWas()
    {
        string data = SyntheticMnist.WriteDirectory(trainCount: 300, testCount: 100);
        string root = TempDir.Create();
        var (interrupted, _) = CliTests.Invoke("run", "split-mnist", "--quick", "--data-dir", data, "--out", root, "--checkpoint-every", "2",
            "--interrupt-at", "split-2/seed0/naive@3");
        Assert.Equal(3, interrupted);
        string runDir = Assert.Single(Directory.GetDirectories(root));
        string checkpoint = Path.Combine(runDir, "checkpoints", "split-2", "seed0", "naive.galt");
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[^10] ^= 0x40;   // one flipped bit in the payload
        File.WriteAllBytes(checkpoint, bytes);

        var (exit, message) = CliTests.Invoke("run", "split-mnist", "--resume", runDir);
        Assert.Equal(1, exit);
        Assert.Contains("naive.galt", message);
        Assert.Contains("SHA-256", message);
        Assert.Equal(bytes, File.ReadAllBytes(checkpoint));
        Assert.False(File.Exists(Path.Combine(runDir, "result.json")));
    }
}
