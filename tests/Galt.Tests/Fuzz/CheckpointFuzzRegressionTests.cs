using System.Security.Cryptography;
using Galt.Checkpoints;

namespace Galt.Tests.Fuzz;

/// <summary>
/// Inputs that made the checkpoint reader or the tensor decoder crash, hang or misread (fuzz/run.sh checkpoint;
/// docs/fuzzing.md), each refused now with a <see cref="CheckpointException"/> naming the file and the fault. Each
/// input is a payload; the test seals it with a valid header (length, SHA-256) as the harness's payload mode does, so
/// the fault is behind an intact checksum.
/// </summary>
public class CheckpointFuzzRegressionTests
{
    public static TheoryData<string, string> Payloads => new()
    {
        // count 1701864705 in 14 bytes: presized a dictionary for it (OutOfMemoryException)
        { "01657065" + "0168" + "0000000000000000", "an entry count of 1701864705 does not fit in 14 payload bytes" },
        // a name length of five 0xFF bytes: FormatException from BinaryReader
        { "01000000" + "FFFFFFFFFF" + "0000000000000000", "7-bit encoded integer" },
        // a name length of -1: IOException from BinaryReader
        { "01000000" + "FFFFFFFF0F" + "0000000000000000", "malformed payload" },
        // entry 'n' claims 10 bytes, 3 follow: was accepted as a 3-byte entry
        { "01000000" + "016E" + "0A00000000000000" + "010203", "entry 'n' claims 10 bytes but 3 remain" },
        // 4 bytes after the last entry: were ignored
        { "01000000" + "016E" + "0100000000000000" + "07" + "DEADBEEF", "4 bytes follow the last of the 1 entries" },
        // an entry name that is not UTF-8 (0x84): was read as U+FFFD
        { "01000000" + "0184" + "0000000000000000", "an entry name is not UTF-8" },
        // tensor 'h', dtype code 2053 (0x805): libtorch kept the low byte and decoded three Float16 values
        { Tensor("05080000" + "01000000" + "0300000000000000" + "0052003C003C"), "dtype code 2053 is not a tensor dtype" },
        // tensor 'h', dtype code 195: a bare ExternalException from libtorch
        { Tensor("C3000000" + "00000000" + "00"), "dtype code 195 is not a tensor dtype" },
        // tensor 'h', dtype code 0x040BFFFF (low byte -1): hung the fuzzed process
        { Tensor("FFFF0B04" + "00000000" + "00"), "dtype code 67895295 is not a tensor dtype" },
        // tensor 'h', Float32 [-1, -1] with 4 value bytes (the product is 1): libtorch refused the shape with its own exception
        { Tensor("06000000" + "02000000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "0000803F"), "dimension 0 is -1" },
        // tensor 'h', Float32 [2^32, 2^32] with no value bytes (the product overflows to 0): an allocation libtorch refused with its own exception
        { Tensor("06000000" + "02000000" + "0000000001000000" + "0000000001000000"), "holds more values than the entry has bytes" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void AFuzzedPayloadIsRefusedWithTheFileAndTheFault(string payloadHex, string fault)
    {
        string path = Path.Combine(TempDir.Create(), "state.ckpt");
        File.WriteAllBytes(path, Sealed(Convert.FromHexString(payloadHex)));
        var e = Assert.Throws<CheckpointException>(() =>
        {
            foreach (var (name, entry) in CheckpointFile.Read(path)) TensorCodec.Decode(entry, name, path).Dispose();
        });
        Assert.Contains(path, e.Message);
        Assert.Contains(fault, e.Message);
    }

    /// <summary>A payload holding one entry 'h' with <paramref name="entryHex"/>.</summary>
    private static string Tensor(string entryHex) =>
        "01000000" + "0168" + Convert.ToHexString(BitConverter.GetBytes((long)(entryHex.Length / 2))) + entryHex;

    /// <summary>The checkpoint header (CheckpointFile's layout) around <paramref name="payload"/>.</summary>
    private static byte[] Sealed(byte[] payload) =>
        [.. "GALTCKPT"u8, .. BitConverter.GetBytes(CheckpointFile.FormatVersion), .. BitConverter.GetBytes((long)payload.Length), .. SHA256.HashData(payload), .. payload];
}
