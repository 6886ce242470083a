using Galt.Graph;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// A named setting of the split-variable chain in <c>galt run graph-demo</c> (<c>--recipe NAME</c>). The candidates were
/// declared before scoring and compared once by <c>galt run graph-demo-select</c> on a validation split carved from the
/// training images (<see cref="GraphDemoSelection"/>); the test images play no part in the choice.
/// </summary>
/// <param name="Name">Command-line name.</param>
/// <param name="Description">One line for reports: what differs from the release setting and why it might help.</param>
/// <param name="Chain">The chain's settings.</param>
public sealed record GraphDemoRecipe(string Name, string Description, SplitChainOptions Chain)
{
    /// <summary>The setting the first graph-parallel issue shipped: ρ 5, η_z 0.1, 5 Jacobi sweeps per batch, fixed ρ.</summary>
    public static GraphDemoRecipe Release { get; } = new("release", "ρ 5, η_z 0.1, 5 Jacobi sweeps per batch, ρ fixed (the first graph-parallel setting)",
        new SplitChainOptions(Rho: 5, SplitStep: 0.1, InnerIterations: 5, Schedule: Schedule.Jacobi));

    /// <summary>
    /// The candidates of the one declared selection, in order (a tie goes to the earlier, i.e. the cheaper or the incumbent):
    /// more inner sweeps (each batch's local problems solved further before its dual step), a larger split-variable step
    /// (z follows its targets faster), a penalty that grows while the forward residual stalls (z pulled onto f), and
    /// Gauss–Seidel sweeps (a block sees its predecessor's fresh split variables within the sweep).
    /// </summary>
    public static IReadOnlyList<GraphDemoRecipe> Candidates { get; } = new[]
    {
        Release,
        new GraphDemoRecipe("sweeps10", "as release with 10 Jacobi sweeps per batch (twice the local work per dual step)",
            Release.Chain with { InnerIterations = 10 }),
        new GraphDemoRecipe("step0.2", "as release with split-variable step η_z 0.2",
            Release.Chain with { SplitStep = 0.2 }),
        new GraphDemoRecipe("rho-growth", "as release with ρ ← min(1.05 ρ, 50) after a batch whose forward residual did not fall below 0.9× the previous batch's",
            Release.Chain with { RhoGrowth = 1.05, RhoMax = 50, Tau = 0.9 }),
        new GraphDemoRecipe("gauss-seidel", "as release with Gauss–Seidel sweeps (blocks in chain order, each reading its predecessor's new split variables)",
            Release.Chain with { Schedule = Schedule.GaussSeidel }),
    };

    /// <summary>The recipe <c>galt run graph-demo</c> uses when none is named.</summary>
    public static GraphDemoRecipe Default => Release;

    /// <summary>The candidate named <paramref name="name"/> (case-insensitive); throws naming the known recipes otherwise.</summary>
    public static GraphDemoRecipe Find(string name) =>
        Candidates.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no graph-demo recipe named '{name}'; known: {string.Join(", ", Candidates.Select(r => r.Name))}.", nameof(name));
}
