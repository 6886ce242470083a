namespace Galt.Experiments.CurriculumGate;

/// <summary>
/// The label sets of the teacher-mode curriculum heads, in the release's order (spec §6.6: the index of a label is its
/// class index, so the order matters).
/// </summary>
public static class CurriculumLabels
{
    /// <summary>Teacher routing action (5).</summary>
    public static IReadOnlyList<string> TeacherActions { get; } = new[] { "answer", "ask_teacher", "ask_user", "defer_residual", "refuse" };

    /// <summary>Teacher knowledge state (6).</summary>
    public static IReadOnlyList<string> KnowledgeStates { get; } = new[] { "known", "uncertain", "unknown", "underspecified", "unsafe", "ambiguous_boundary" };

    /// <summary>Adjudication action (3).</summary>
    public static IReadOnlyList<string> AdjudicationActions { get; } = new[] { "accept", "reject", "accept_with_residual" };

    /// <summary>Memory outcome (4).</summary>
    public static IReadOnlyList<string> MemoryOutcomes { get; } = new[] { "accepted_trace", "not_consolidated", "accepted_trace_with_residual", "not_applicable" };

    /// <summary>Residual kind (4).</summary>
    public static IReadOnlyList<string> Residuals { get; } = new[] { "none", "boundary_ambiguity", "hard_violation", "soft_rule_debt" };

    /// <summary>Memory layers C0..C3 (4).</summary>
    public const int MemoryLayers = 4;

    /// <summary>Violation layers C0..C3 and index 4 = none (5).</summary>
    public const int ViolationLayers = 5;

    /// <summary>Bits of the adjudication gate target.</summary>
    public const int GateBits = 3;
}
