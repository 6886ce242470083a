namespace Galt.Cli;

/// <summary>The options of one <c>galt run</c> / <c>galt bench</c> invocation.</summary>
/// <param name="Seed">--seed.</param>
/// <param name="Quick">--quick.</param>
/// <param name="OutRoot">--out.</param>
/// <param name="DataDir">--data-dir, or null for the default data.</param>
/// <param name="SeedCount">--seeds (null: not given).</param>
/// <param name="Tasks">--tasks (null: not given).</param>
/// <param name="Stream">--stream (null: not given).</param>
/// <param name="Steps">--steps (null: not given).</param>
/// <param name="Recipe">--recipe (null: not given).</param>
/// <param name="Round">--round (null: not given).</param>
/// <param name="Variant">--variant (null: not given).</param>
/// <param name="EvalSize">--eval-size (null: not given).</param>
/// <param name="PerTask">--per-task (null: not given).</param>
/// <param name="DualRule">--dual-rule (null: not given).</param>
public sealed record RunSettings(int Seed, bool Quick, string OutRoot, string? DataDir, int? SeedCount = null, int? Tasks = null, string? Stream = null, int? Steps = null, string? Recipe = null, int? Round = null,
    string? Variant = null, int? EvalSize = null, string? DualRule = null, int? PerTask = null);
