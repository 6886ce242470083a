namespace Galt.Experiments.Data;

/// <summary>
/// A fixed, seeded, class-stratified train/test split: each class gives the test set its share of
/// <c>testCount</c> (largest-remainder rounding, so the total is exact), drawn by a seeded shuffle.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>Splits indices 0..labels.Length−1; both index lists come back sorted ascending.</summary>
    public static (int[] Train, int[] Test) Split(IReadOnlyList<byte> labels, int testCount, int seed)
    {
        if (testCount < 0 || testCount > labels.Count)
            throw new ArgumentOutOfRangeException(nameof(testCount), $"test count {testCount} must lie in [0, {labels.Count}].");
        var byClass = labels.Select((label, index) => (label, index))
            .GroupBy(p => p.label).OrderBy(g => g.Key)
            .Select(g => g.Select(p => p.index).ToArray()).ToArray();
        double fraction = labels.Count == 0 ? 0 : (double)testCount / labels.Count;
        var quotas = byClass.Select(c => (int)Math.Floor(c.Length * fraction)).ToArray();
        int remaining = testCount - quotas.Sum();
        // Largest remainder first; ties go to the lower class so the split is a pure function of (labels, testCount, seed).
        foreach (int c in Enumerable.Range(0, byClass.Length)
                     .OrderByDescending(c => byClass[c].Length * fraction - quotas[c]).ThenBy(c => c).Take(remaining))
            quotas[c]++;

        var rng = new Random(seed);
        var train = new List<int>(labels.Count - testCount);
        var test = new List<int>(testCount);
        for (int c = 0; c < byClass.Length; c++)
        {
            var members = (int[])byClass[c].Clone();
            rng.Shuffle(members);
            test.AddRange(members.Take(quotas[c]));
            train.AddRange(members.Skip(quotas[c]));
        }
        train.Sort();
        test.Sort();
        return (train.ToArray(), test.ToArray());
    }
}
