using Galt.Memory;

namespace Galt.Experiments.MemoryGates;

/// <summary>One row of the symbolic gate benchmark: a (memory layer, violation layer) pair, its features and label.</summary>
/// <param name="Memory">m ∈ C0..C3.</param>
/// <param name="Violation">v ∈ C0..C3 or None.</param>
/// <param name="Features">onehot(m, 4) ⊕ onehot(v, 5) ⊕ 6 nuisance values ~ N(0, 0.03): 15 numbers.</param>
public sealed record GateRow(SafetyLayer Memory, SafetyLayer Violation, float[] Features)
{
    /// <summary>A(m, v).</summary>
    public bool Label => HierarchicalAccess.Allows(Memory, Violation);

    /// <summary>Whether the pair is held out of training.</summary>
    public bool HeldOut => SymbolicGateData.HeldOutPairs.Contains(((int)Memory, (int)Violation));

    /// <summary>The pair's regime.</summary>
    public AccessRegime Regime => HierarchicalAccess.RegimeOf(Memory, Violation);
}

/// <summary>
/// The generated data of spec §6.2: 24 training rows for each of the 15 non-held-out pairs (360), 64 test rows for each
/// of the 20 pairs (1,280), rows shuffled; train from seed, test from seed + 10,000.
/// </summary>
public static class SymbolicGateData
{
    /// <summary>Pairs (m, v) kept out of training: three bottom-up, two top-down.</summary>
    public static readonly IReadOnlySet<(int, int)> HeldOutPairs = new HashSet<(int, int)> { (2, 0), (3, 0), (3, 1), (0, 3), (1, 3) };

    /// <summary>The training rows.</summary>
    public static GateRow[] Train(int seed) => Rows(seed, perPair: 24, includeHeldOut: false);

    /// <summary>The test rows.</summary>
    public static GateRow[] Test(int seed) => Rows(seed + 10_000, perPair: 64, includeHeldOut: true);

    private static GateRow[] Rows(int seed, int perPair, bool includeHeldOut)
    {
        var rng = new Random(seed);
        var rows = new List<GateRow>();
        for (int m = 0; m < 4; m++)
            for (int v = 0; v < 5; v++)
            {
                if (!includeHeldOut && HeldOutPairs.Contains((m, v))) continue;
                for (int r = 0; r < perPair; r++)
                {
                    var f = new float[15];
                    f[m] = 1;
                    f[4 + v] = 1;
                    for (int k = 0; k < 6; k++) f[9 + k] = (float)(0.03 * Normal(rng));
                    rows.Add(new GateRow((SafetyLayer)m, (SafetyLayer)v, f));
                }
            }
        var shuffled = rows.ToArray();
        rng.Shuffle(shuffled);
        return shuffled;
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
