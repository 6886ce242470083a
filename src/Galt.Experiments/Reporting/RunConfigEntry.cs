using System.Text.Json.Nodes;

namespace Galt.Experiments.Reporting;

/// <summary>One key of a run configuration as <see cref="RunConfigToml"/> writes it.</summary>
/// <param name="Key">The key: a run option's flag name without dashes, e.g. <c>seeds</c> or <c>data-dir</c>.</param>
/// <param name="Value">An integer, boolean or string; null writes the key commented out, as left to the experiment.</param>
/// <param name="Comment">Text written as <c>#</c> lines above the key (wrapped); null for none.</param>
public sealed record RunConfigEntry(string Key, JsonNode? Value, string? Comment = null);
