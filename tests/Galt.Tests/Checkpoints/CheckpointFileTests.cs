using System.Diagnostics;
using Galt.Checkpoints;
using static TorchSharp.torch;

namespace Galt.Tests.Checkpoints;

/// <summary>The checkpoint file: exact round trips, atomic replacement, and refusals that name the file and the fault.</summary>
public class CheckpointFileTests
{
    private static string NewPath() => Path.Combine(TempDir.Create(), "state.ckpt");

    [Fact]
    public void EntriesAndTensorsComeBackBitForBit()
    {
        string path = NewPath();
        var weights = randn(3, 5, generator: new Generator(7));
        var steps = tensor(new long[] { 1, 2, 3 });
        var scalar = tensor(Math.PI, ScalarType.Float64);
        CheckpointFile.Write(path, new Dictionary<string, byte[]>
        {
            ["w"] = TensorCodec.Encode(weights), ["steps"] = TensorCodec.Encode(steps), ["pi"] = TensorCodec.Encode(scalar), ["note"] = "λ, ρ"u8.ToArray(),
        });
        var entries = CheckpointFile.Read(path);
        Assert.Equal(weights.data<float>().ToArray(), TensorCodec.Decode(entries["w"], "w", path).data<float>().ToArray());
        var back = TensorCodec.Decode(entries["steps"], "steps", path);
        Assert.Equal(ScalarType.Int64, back.dtype);
        Assert.Equal(new long[] { 1, 2, 3 }, back.data<long>().ToArray());
        Assert.Equal(Math.PI, TensorCodec.Decode(entries["pi"], "pi", path).item<double>());
        Assert.Equal("λ, ρ"u8.ToArray(), entries["note"]);
        // Restoring into a live tensor writes in place.
        var target = zeros(3, 5);
        TensorCodec.Restore(entries["w"], target, "w", path);
        Assert.Equal(weights.data<float>().ToArray(), target.data<float>().ToArray());
    }

    [Fact]
    public void AReplacedCheckpointLeavesNoTemporaryFiles()
    {
        string path = NewPath();
        CheckpointFile.Write(path, new Dictionary<string, byte[]> { ["n"] = new byte[] { 1 } });
        CheckpointFile.Write(path, new Dictionary<string, byte[]> { ["n"] = new byte[] { 2 } });
        Assert.Equal(new byte[] { 2 }, CheckpointFile.Read(path)["n"]);
        Assert.Equal(new[] { path }, Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void TruncatedCorruptForeignAndNewerFilesAreRefusedByNameAndLeftAsTheyWere()
    {
        string path = NewPath();
        CheckpointFile.Write(path, new Dictionary<string, byte[]> { ["w"] = TensorCodec.Encode(ones(100)) });
        byte[] good = File.ReadAllBytes(path);
        void Expect(byte[] content, string fault)
        {
            File.WriteAllBytes(path, content);
            var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(fault, e.Message);
            Assert.Equal(content, File.ReadAllBytes(path));   // refusing reads nothing back into the file
        }
        Expect(good[..(good.Length - 10)], "truncated");
        Expect(good[..30], "truncated");
        var flipped = (byte[])good.Clone();
        flipped[^5] ^= 0x10;
        Expect(flipped, "SHA-256");
        Expect("{\"not\": \"a checkpoint\"}"u8.ToArray(), "not a Galt checkpoint");
        var newer = (byte[])good.Clone();
        BitConverter.GetBytes(CheckpointFile.FormatVersion + 1).CopyTo(newer, 8);
        Expect(newer, "newer than this build reads");
        Assert.Contains("no such file", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path + ".missing")).Message);
    }

    [Fact]
    public void ATensorOfAnotherShapeIsNamedAndTheTargetIsUntouched()
    {
        string path = NewPath();
        CheckpointFile.Write(path, new Dictionary<string, byte[]> { ["layer1.weight"] = TensorCodec.Encode(ones(4, 8)) });
        var target = zeros(4, 6);
        var e = Assert.Throws<CheckpointException>(() => TensorCodec.Restore(CheckpointFile.Read(path)["layer1.weight"], target, "layer1.weight", path));
        Assert.Contains("'layer1.weight'", e.Message);
        Assert.Contains("[4, 8]", e.Message);
        Assert.Contains("[4, 6]", e.Message);
        Assert.Equal(0, target.abs().sum().item<float>());
    }

    [Fact]
    public void AWriterKilledMidWriteLeavesTheLastCheckpointWholeAndLoadable()
    {
        string path = NewPath();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Galt.Cli.dll"), "checkpoint", "write-test", path, "--count", "100000" })
            info.ArgumentList.Add(arg);
        int last = -1;
        using (var writer = Process.Start(info)!)
        {
            while (last < 5 && writer.StandardOutput.ReadLine() is { } line) last = int.Parse(line);
            writer.Kill(entireProcessTree: true);   // SIGKILL, most likely inside the next 8 MB write
            writer.WaitForExit();
        }
        Assert.True(last >= 5, $"the writer stopped after checkpoint {last}");
        var entries = CheckpointFile.Read(path);   // verifies the checksum
        int stored = BitConverter.ToInt32(entries["number"]);
        // The file holds the last checkpoint reported written, or the one being written if its rename landed before the kill.
        Assert.InRange(stored, last, last + 1);
        Assert.All(entries["bulk"], b => Assert.Equal((byte)stored, b));
    }
}
