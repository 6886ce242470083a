using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Galt.Checkpoints;

/// <summary>
/// One checkpoint file: named binary entries behind a header that says what the file is and whether it is whole.
/// Layout: the magic <c>GALTCKPT</c>, the format version (int32), the payload length (int64), the payload's SHA-256
/// (32 bytes), then the payload: an entry count (int32) and per entry its name (UTF-8, length-prefixed) and its bytes
/// (int64 length, then the bytes). <see cref="Write"/> is atomic: the file is written beside the target, flushed to
/// disk, renamed over it, and the folder flushed, so a crash at any point leaves either the previous checkpoint or the
/// new one, never a mix. <see cref="Read(string)"/> refuses anything it cannot vouch for with a <see cref="CheckpointException"/>.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "GALTCKPT"u8.ToArray();

    /// <summary>Entry names are read as strict UTF-8: the writer never produces invalid bytes, so any are damage.</summary>
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const int HeaderLength = 8 + 4 + 8 + 32;

    /// <summary>Writes <paramref name="entries"/> to <paramref name="path"/> atomically (see the type's summary); on any error the previous file is untouched.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, byte[]> entries)
    {
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(entries.Count);
            foreach (var (name, data) in entries)
            {
                writer.Write(name);
                writer.Write((long)data.Length);
                writer.Write(data);
            }
        }
        var bytes = payload.ToArray();
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        string temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write((long)bytes.Length);
                writer.Write(SHA256.HashData(bytes));
                writer.Write(bytes);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            FlushFolder(folder);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Reads the entries of <paramref name="path"/>; throws <see cref="CheckpointException"/> naming the file and the fault.</summary>
    public static IReadOnlyDictionary<string, byte[]> Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "no such file.");
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads the entries of checkpoint content already in memory; <paramref name="path"/> names it in errors.</summary>
    internal static IReadOnlyDictionary<string, byte[]> Read(byte[] file, string path)
    {
        if (file.Length < Magic.Length || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(path, "not a Galt checkpoint (its first bytes are not the GALTCKPT signature).");
        if (file.Length < HeaderLength) throw new CheckpointException(path, $"truncated: {file.Length} bytes, shorter than the {HeaderLength}-byte header.");
        int version = BitConverter.ToInt32(file, 8);
        if (version > FormatVersion)
            throw new CheckpointException(path, $"format version {version} is newer than this build reads ({FormatVersion}); update Galt to load it.");
        if (version < 1) throw new CheckpointException(path, $"format version {version} is not valid.");
        long length = BitConverter.ToInt64(file, 12);
        if (length != file.Length - HeaderLength)
            throw new CheckpointException(path, $"truncated or padded: the header promises {length} payload bytes, the file holds {file.Length - HeaderLength}.");
        var payload = file.AsSpan(HeaderLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(file.AsSpan(20, 32)))
            throw new CheckpointException(path, "corrupt: the payload's SHA-256 does not match the one in the header.");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(file, HeaderLength, (int)length), StrictUtf8);
            int count = reader.ReadInt32();
            // An entry takes at least 9 bytes (a one-byte name length, an int64 size): a larger count is a damaged field, not an allocation to make.
            if (count < 0 || count > (length - 4) / 9) throw new InvalidDataException($"an entry count of {count} does not fit in {length} payload bytes.");
            var entries = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                long size = reader.ReadInt64();
                long remaining = length - reader.BaseStream.Position;
                if (size < 0 || size > remaining) throw new InvalidDataException($"entry '{name}' claims {size} bytes but {remaining} remain.");
                if (!entries.TryAdd(name, reader.ReadBytes((int)size))) throw new InvalidDataException($"entry '{name}' appears twice.");
            }
            if (reader.BaseStream.Position != length) throw new InvalidDataException($"{length - reader.BaseStream.Position} bytes follow the last of the {count} entries.");
            return entries;
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointException(path, $"malformed payload: an entry name is not UTF-8 ({e.Message})", e);
        }
        // IOException covers EndOfStreamException and a negative name length; FormatException a bad 7-bit name length.
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException)
        {
            throw new CheckpointException(path, $"malformed payload: {e.Message}", e);
        }
    }

    /// <summary>Flushes the folder's entry for the renamed file to disk (POSIX: fsync on the directory); Windows journals the rename itself.</summary>
    private static void FlushFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Posix.open(folder, 0);
        if (fd < 0) return;
        try { Posix.fsync(fd); }
        finally { Posix.close(fd); }
    }

    private static class Posix
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open(string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc")]
        public static extern int close(int fd);
    }
}
