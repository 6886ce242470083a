using Galt.Experiments.Data;

namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// Draws each step's rows (spec §6.6 "Sampling"), from one seeded generator, in stream order language, teacher, GALT:
/// language and teacher rows uniformly with replacement; GALT rows packet-balanced — max(1, rows/3) distinct source
/// groups without replacement, all rows of each (a contrast packet's positive, no-write and constraint rows train
/// together) — or, with packet balancing off, uniformly with replacement like the others.
/// </summary>
public sealed class CurriculumSampler
{
    private readonly Random _random;
    private readonly Dictionary<CurriculumStream, int[]> _byStream;
    private readonly int[][] _galtGroups;

    /// <summary>Creates a sampler over <paramref name="rows"/> (indices refer to this list).</summary>
    public CurriculumSampler(IReadOnlyList<CurriculumRow> rows, int seed, bool packetBalanced = true)
    {
        _random = new Random(seed);
        PacketBalanced = packetBalanced;
        _byStream = Enum.GetValues<CurriculumStream>().ToDictionary(s => s, s => Enumerable.Range(0, rows.Count).Where(i => rows[i].Stream == s).ToArray());
        // Groups in first-seen order, so the draw depends only on the file and the seed.
        _galtGroups = _byStream[CurriculumStream.AdjudicatedMemory].GroupBy(i => rows[i].Group, StringComparer.Ordinal).Select(g => g.ToArray()).ToArray();
    }

    /// <summary>Whether GALT rows are drawn by whole source groups.</summary>
    public bool PacketBalanced { get; }

    /// <summary>Number of GALT sampling groups (packets and singleton rows).</summary>
    public int GaltGroupCount => _galtGroups.Length;

    /// <summary>Row indices for one step: <paramref name="rowsPerStream"/> per active stream (GALT: see the class remarks).</summary>
    public IReadOnlyList<int> Draw(IReadOnlyList<CurriculumStream> streams, int rowsPerStream)
    {
        var drawn = new List<int>();
        foreach (var stream in streams)
        {
            var pool = _byStream[stream];
            if (pool.Length == 0) throw new InvalidOperationException($"the training split has no {stream} rows, but the schedule samples that stream.");
            if (stream == CurriculumStream.AdjudicatedMemory && PacketBalanced)
            {
                int groups = Math.Min(_galtGroups.Length, Math.Max(1, rowsPerStream / 3));
                foreach (int g in Choose(groups)) drawn.AddRange(_galtGroups[g]);
            }
            else
                for (int i = 0; i < rowsPerStream; i++) drawn.Add(pool[_random.Next(pool.Length)]);
        }
        return drawn;
    }

    /// <summary><paramref name="count"/> distinct group indices (a partial Fisher–Yates shuffle).</summary>
    private int[] Choose(int count)
    {
        var order = Enumerable.Range(0, _galtGroups.Length).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = i + _random.Next(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order[..count];
    }
}
