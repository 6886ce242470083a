namespace Galt.Fuzz;

/// <summary>Every <see cref="Harness"/> subclass in this assembly, by name: a new harness file registers itself.</summary>
internal static class HarnessCatalog
{
    /// <summary>All harnesses, sorted by name.</summary>
    public static IReadOnlyList<Harness> All { get; } = typeof(Harness).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Harness)) && !t.IsAbstract)
        .Select(t => (Harness)Activator.CreateInstance(t)!)
        .OrderBy(h => h.Name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The harness called <paramref name="name"/>; an <see cref="ArgumentException"/> listing the names when there is none.</summary>
    public static Harness Find(string name) =>
        All.FirstOrDefault(h => h.Name == name)
        ?? throw new ArgumentException($"no fuzz harness '{name}'; the harnesses are: {string.Join(", ", All.Select(h => h.Name))}.");
}
