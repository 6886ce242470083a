namespace Galt.Cli;

/// <summary>The options of one <c>galt run</c> / <c>galt bench</c> invocation.</summary>
/// <param name="Seed">--seed.</param>
/// <param name="Quick">--quick.</param>
/// <param name="OutRoot">--out.</param>
/// <param name="DataDir">--data-dir, or null for the default data.</param>
public sealed record RunSettings(int Seed, bool Quick, string OutRoot, string? DataDir);
