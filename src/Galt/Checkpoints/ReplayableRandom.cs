namespace Galt.Checkpoints;

/// <summary>
/// A seeded <see cref="Random"/> whose position can be checkpointed: it draws exactly what <c>new Random(seed)</c>
/// draws, and records each call (method and arguments) so that a restored copy replays them from the seed and stands
/// where the original stood. Meant for generators that are reseeded often (per task, per epoch), so the record stays short.
/// </summary>
public sealed class ReplayableRandom : Random, ICheckpointable
{
    private enum Call : long { Next, NextMax, NextRange, NextDouble, NextBytes, NextInt64, NextInt64Max, NextInt64Range, NextSingle }

    private Random _inner;
    private readonly List<long> _calls = new();

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public ReplayableRandom(int seed)
    {
        Seed = seed;
        _inner = new Random(seed);
    }

    /// <summary>The seed.</summary>
    public int Seed { get; private set; }

    /// <summary>Calls made since seeding.</summary>
    public int CallCount => _calls.Count / 3;

    private T Record<T>(Call call, long a, long b, T value)
    {
        _calls.Add((long)call); _calls.Add(a); _calls.Add(b);
        return value;
    }

    /// <inheritdoc />
    public override int Next() => Record(Call.Next, 0, 0, _inner.Next());

    /// <inheritdoc />
    public override int Next(int maxValue) => Record(Call.NextMax, maxValue, 0, _inner.Next(maxValue));

    /// <inheritdoc />
    public override int Next(int minValue, int maxValue) => Record(Call.NextRange, minValue, maxValue, _inner.Next(minValue, maxValue));

    /// <inheritdoc />
    public override double NextDouble() => Record(Call.NextDouble, 0, 0, _inner.NextDouble());

    /// <inheritdoc />
    public override float NextSingle() => Record(Call.NextSingle, 0, 0, _inner.NextSingle());

    /// <inheritdoc />
    public override long NextInt64() => Record(Call.NextInt64, 0, 0, _inner.NextInt64());

    /// <inheritdoc />
    public override long NextInt64(long maxValue) => Record(Call.NextInt64Max, maxValue, 0, _inner.NextInt64(maxValue));

    /// <inheritdoc />
    public override long NextInt64(long minValue, long maxValue) => Record(Call.NextInt64Range, minValue, maxValue, _inner.NextInt64(minValue, maxValue));

    /// <inheritdoc />
    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());

    /// <inheritdoc />
    public override void NextBytes(Span<byte> buffer)
    {
        _inner.NextBytes(buffer);
        Record(Call.NextBytes, buffer.Length, 0, 0);
    }

    /// <inheritdoc />
    protected override double Sample() => NextDouble();

    /// <inheritdoc />
    public void Save(CheckpointWriter writer)
    {
        writer.Int("seed", Seed);
        writer.Longs("calls", _calls);
    }

    /// <inheritdoc />
    public Action Prepare(CheckpointReader reader)
    {
        int seed = reader.Int("seed");
        var calls = reader.Longs("calls");
        if (calls.Length % 3 != 0) throw reader.Error("calls", $"{calls.Length} values is not a whole number of recorded calls.");
        var replayed = new Random(seed);
        try
        {
            for (int i = 0; i < calls.Length; i += 3) Replay(replayed, (Call)calls[i], calls[i + 1], calls[i + 2]);
        }
        catch (ArgumentException e)
        {
            throw reader.Error("calls", $"a recorded call cannot be replayed ({e.Message}).");
        }
        return () =>
        {
            Seed = seed;
            _inner = replayed;
            _calls.Clear();
            _calls.AddRange(calls);
        };
    }

    private static void Replay(Random random, Call call, long a, long b)
    {
        switch (call)
        {
            case Call.Next: random.Next(); break;
            case Call.NextMax: random.Next(checked((int)a)); break;
            case Call.NextRange: random.Next(checked((int)a), checked((int)b)); break;
            case Call.NextDouble: random.NextDouble(); break;
            case Call.NextSingle: random.NextSingle(); break;
            case Call.NextInt64: random.NextInt64(); break;
            case Call.NextInt64Max: random.NextInt64(a); break;
            case Call.NextInt64Range: random.NextInt64(a, b); break;
            case Call.NextBytes:
                if (a < 0 || a > 1 << 24) throw new ArgumentException($"NextBytes of {a} bytes");
                random.NextBytes(new byte[a]);
                break;
            default: throw new ArgumentException($"unknown call {(long)call}");
        }
    }
}
