namespace Galt.Maps;

/// <summary>
/// The site (or union of sites) a neural map picks for a correction, and why; <see cref="Sites"/> empty and
/// <see cref="Map"/> null when no site, alone or in union, can make the correction admissibly.
/// </summary>
/// <param name="Sites">The chosen site, or the sites of the chosen union in the order they were added; empty for none.</param>
/// <param name="Map">The chosen site's map (for a union, the map of the union's summed Gram).</param>
/// <param name="Reason">Why, in words (which rule decided, or why nothing qualified).</param>
public sealed record SiteSelection(IReadOnlyList<string> Sites, SiteMap? Map, string Reason)
{
    /// <summary>Whether a site or union was found.</summary>
    public bool Found => Map is not null;
}
