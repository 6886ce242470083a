namespace Galt.Maps;

/// <summary>What a row of a neural map's problem asks of a step Δ.</summary>
public enum MapRowRole
{
    /// <summary>An edit (target) row: the step should change C_i by exactly <see cref="MapRow.Value"/> (r_i = c*_i − C_i).</summary>
    Target,

    /// <summary>An active protect or hard row: the step may change C_i by at most <see cref="MapRow.Value"/> (J_i Δ ≤ b_i).</summary>
    Protect,

    /// <summary>A typed-channel row: nothing is asked of it; the map reports how much a step would disturb it.</summary>
    Channel,
}

/// <summary>One row of a neural map's problem: a constraint's name, its role and, for targets and protect rows, its value.</summary>
/// <param name="Name">The row's name (a constraint, or a constraint's row such as <c>margin[3,7]</c>).</param>
/// <param name="Role">What the row asks.</param>
/// <param name="Value">r_i for a target row, b_i for a protect row; ignored for a channel row.</param>
public sealed record MapRow(string Name, MapRowRole Role, double Value = 0);
