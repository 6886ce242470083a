namespace Galt.Orleans;

/// <summary>
/// Byte streams split into parts no larger than a limit, staged on the receiving side until complete, and staged on the
/// sending side until fetched: how a frame larger than one Orleans message travels.
/// </summary>
internal sealed class StagedTransfers
{
    private readonly Dictionary<long, byte[][]> _incoming = new(), _outgoing = new();
    private long _next;

    /// <summary>Stores part <paramref name="part"/> of <paramref name="parts"/> of transfer <paramref name="transfer"/>.</summary>
    public void Put(long transfer, int part, int parts, ReadOnlyMemory<byte> bytes)
    {
        if (parts < 1 || part < 0 || part >= parts) throw new ArgumentOutOfRangeException(nameof(part), $"part {part} of {parts}.");
        if (!_incoming.TryGetValue(transfer, out var stored)) _incoming[transfer] = stored = new byte[parts][];
        if (stored.Length != parts) throw new InvalidOperationException($"transfer {transfer}: {parts} parts announced, {stored.Length} before.");
        stored[part] = bytes.ToArray();
    }

    /// <summary>The bytes of <paramref name="frame"/>: inline, or the staged transfer it names (then forgotten).</summary>
    public byte[] Open(Frame frame)
    {
        if (frame.Transfer == 0) return frame.Bytes.ToArray();
        if (!_incoming.Remove(frame.Transfer, out var parts) || parts.Any(p => p is null))
            throw new InvalidOperationException($"transfer {frame.Transfer} is incomplete or unknown here: a part was lost (a silo restarted?).");
        var all = new byte[frame.Length];
        long offset = 0;
        foreach (var p in parts) { p.CopyTo(all, offset); offset += p.Length; }
        if (offset != frame.Length) throw new InvalidOperationException($"transfer {frame.Transfer}: {offset} bytes staged, {frame.Length} announced.");
        return all;
    }

    /// <summary>A frame for <paramref name="bytes"/>: inline up to <paramref name="limit"/>, else staged here for <see cref="Take"/>.</summary>
    public Frame Offer(byte[] bytes, int limit)
    {
        if (bytes.Length <= limit) return new Frame { Bytes = bytes, Length = bytes.Length };
        long id = Interlocked.Increment(ref _next);
        var parts = Split(bytes, limit);
        _outgoing[id] = parts;
        return new Frame { Transfer = id, Parts = parts.Length, Length = bytes.Length };
    }

    /// <summary>Part <paramref name="part"/> of an offered transfer; the transfer is forgotten after its last part.</summary>
    public ReadOnlyMemory<byte> Take(long transfer, int part)
    {
        if (!_outgoing.TryGetValue(transfer, out var parts)) throw new InvalidOperationException($"transfer {transfer} is unknown here (a silo restarted?).");
        if (part < 0 || part >= parts.Length) throw new ArgumentOutOfRangeException(nameof(part), $"part {part} of {parts.Length}.");
        if (part == parts.Length - 1) _outgoing.Remove(transfer);
        return parts[part];
    }

    /// <summary><paramref name="bytes"/> in consecutive parts of at most <paramref name="limit"/> bytes.</summary>
    public static byte[][] Split(byte[] bytes, int limit) =>
        Enumerable.Range(0, (int)((bytes.LongLength + limit - 1) / limit)).Select(i => bytes.AsSpan(i * limit, (int)Math.Min(limit, bytes.LongLength - (long)i * limit)).ToArray()).ToArray();
}
