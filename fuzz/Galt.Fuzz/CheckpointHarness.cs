using System.Security.Cryptography;
using Galt.Checkpoints;
using static TorchSharp.torch;

namespace Galt.Fuzz;

/// <summary>
/// The checkpoint reader (<see cref="CheckpointFile"/>) and the tensor entries' decoder (<see cref="TensorCodec.Decode"/>)
/// on every entry it accepts. The first input byte picks the mode: even, the rest is the whole file (the header checks);
/// odd, the rest is the payload and the harness seals it with a valid header (length, SHA-256), so mutations reach the
/// entry and tensor parsing behind the checksum. A decoded tensor must re-encode to its entry's exact bytes.
/// </summary>
internal sealed class CheckpointHarness : Harness
{
    private static readonly byte[] Magic = "GALTCKPT"u8.ToArray();

    /// <inheritdoc />
    public override string Name => "checkpoint";

    /// <inheritdoc />
    public override string Summary => "checkpoint files and their tensor entries (CheckpointFile.Read, TensorCodec.Decode)";

    /// <inheritdoc />
    protected override string Source => "/fuzz/state.ckpt";

    /// <inheritdoc />
    protected override void Read(byte[] input)
    {
        byte[] file = input.Length > 0 && (input[0] & 1) == 1 ? Seal(input[1..]) : input.Length > 0 ? input[1..] : input;
        IReadOnlyDictionary<string, byte[]>? entries = null;
        Refusable(() => entries = CheckpointFile.Read(file, Source));
        if (entries is null) return;
        foreach (var (name, entry) in entries)
            Refusable(() =>
            {
                using var tensor = TensorCodec.Decode(entry, name, Source);
                if (!TensorCodec.Encode(tensor).AsSpan().SequenceEqual(entry))
                    throw new FuzzFinding($"{Name}: entry '{name}' decoded to a tensor ({tensor.dtype} [{string.Join(", ", tensor.shape)}]) that does not re-encode to its bytes.");
            });
    }

    /// <inheritdoc />
    protected override bool IsRefusal(Exception e) => e is CheckpointException;

    /// <summary>A file with a valid header around <paramref name="payload"/>.</summary>
    private static byte[] Seal(byte[] payload)
    {
        var file = new MemoryStream();
        using var writer = new BinaryWriter(file);
        writer.Write(Magic);
        writer.Write(CheckpointFile.FormatVersion);
        writer.Write((long)payload.Length);
        writer.Write(SHA256.HashData(payload));
        writer.Write(payload);
        writer.Flush();
        return file.ToArray();
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, byte[] Content)> Seeds()
    {
        byte[] Written(Dictionary<string, byte[]> entries)
        {
            string path = Path.Combine(Path.GetTempPath(), $"galt-fuzz-seed-{Guid.NewGuid():N}.ckpt");
            try
            {
                CheckpointFile.Write(path, entries);
                return File.ReadAllBytes(path);
            }
            finally { File.Delete(path); }
        }
        byte[] Mode(byte mode, ReadOnlySpan<byte> rest) => [mode, .. rest];
        const int header = 52;

        var tensors = new Dictionary<string, byte[]>
        {
            ["w"] = TensorCodec.Encode(arange(6, ScalarType.Float32).reshape(2, 3)),
            ["steps"] = TensorCodec.Encode(tensor(new long[] { 1, 2, 3 })),
            ["pi"] = TensorCodec.Encode(tensor(Math.PI, ScalarType.Float64)),
            ["mask"] = TensorCodec.Encode(tensor(new[] { true, false })),
        };
        byte[] full = Written(tensors);
        yield return ("tensors-file", Mode(0, full));
        yield return ("tensors-payload", Mode(1, full.AsSpan(header)));
        yield return ("empty-payload", Mode(1, Written(new()).AsSpan(header)));
        yield return ("bytes-entry-payload", Mode(1, Written(new() { ["note"] = "λ, ρ"u8.ToArray() }).AsSpan(header)));
        yield return ("half-tensor-payload", Mode(1, Written(new() { ["h"] = TensorCodec.Encode(ones(3, ScalarType.Float16)) }).AsSpan(header)));
        yield return ("truncated-file", Mode(0, full.AsSpan(0, full.Length - 5)));
        yield return ("newer-version-file", Mode(0, [.. full.AsSpan(0, 8), 2, 0, 0, 0, .. full.AsSpan(12)]));
    }
}
