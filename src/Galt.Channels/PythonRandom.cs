namespace Galt.Channels;

/// <summary>
/// Python's <c>random.Random(seed)</c> for non-negative integer seeds: MT19937 seeded by <c>init_by_array</c> over the
/// seed's 32-bit words, <c>getrandbits</c>, <c>_randbelow</c> by rejection and the Fisher–Yates <c>shuffle</c>. The release
/// fixes its scramble permutations with <c>random.Random(3000 + b).shuffle</c> (spec §5.6); reproducing the generator
/// makes our permutations the release's for every block and policy count, not only the seven the spec lists.
/// </summary>
internal sealed class PythonRandom
{
    private const int N = 624, M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index = N;

    /// <summary>Seeds the generator as <c>random.Random(seed)</c> does for an int seed (its absolute value).</summary>
    public PythonRandom(long seed)
    {
        ulong a = (ulong)Math.Abs(seed);
        var key = new List<uint>();
        do { key.Add((uint)(a & 0xffffffff)); a >>= 32; } while (a != 0);
        InitByArray(key);
    }

    private void InitGenrand(uint s)
    {
        _mt[0] = s;
        for (int i = 1; i < N; i++) _mt[i] = unchecked(1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
        _index = N;
    }

    private void InitByArray(IReadOnlyList<uint> key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Count); k > 0; k--)
        {
            _mt[i] = unchecked((_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j);
            i++; j++;
            if (i >= N) { _mt[0] = _mt[N - 1]; i = 1; }
            if (j >= key.Count) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            _mt[i] = unchecked((_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1566083941u)) - (uint)i);
            i++;
            if (i >= N) { _mt[0] = _mt[N - 1]; i = 1; }
        }
        _mt[0] = 0x80000000u;
    }

    /// <summary>The next 32-bit output of MT19937 (<c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            for (int k = 0; k < N; k++)
            {
                uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % N] & 0x7fffffffu);
                _mt[k] = _mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            _index = 0;
        }
        uint x = _mt[_index++];
        x ^= x >> 11;
        x ^= (x << 7) & 0x9d2c5680u;
        x ^= (x << 15) & 0xefc60000u;
        x ^= x >> 18;
        return x;
    }

    /// <summary><c>getrandbits(k)</c> for 1 ≤ k ≤ 32.</summary>
    public uint GetRandBits(int k)
    {
        if (k is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(k), $"getrandbits needs 1 ≤ k ≤ 32 here; got {k}.");
        return NextUInt32() >> (32 - k);
    }

    /// <summary><c>_randbelow(n)</c>: uniform in [0, n) by rejection on <c>n.bit_length()</c> bits.</summary>
    public int RandBelow(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"the bound must be positive; got {n}.");
        int bits = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        uint r = GetRandBits(bits);
        while (r >= (uint)n) r = GetRandBits(bits);
        return (int)r;
    }

    /// <summary><c>shuffle(x)</c> in place: for i from the end down to 1, swap x[i] with x[_randbelow(i + 1)].</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = RandBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
