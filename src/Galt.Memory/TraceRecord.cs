namespace Galt.Memory;

/// <summary>What the adjudication did with a candidate memory.</summary>
public enum TraceDecision
{
    /// <summary>Passed the hard stack and was consolidated.</summary>
    Accepted,

    /// <summary>Rejected by a layer.</summary>
    Rejected,

    /// <summary>Accepted over a soft-rule objection (C2/C3): residual debt is recorded.</summary>
    Overridden,
}

/// <summary>
/// One candidate's trace (paper §3.6): which layer decided, what it decided, the constraint values C0..C3 it was
/// judged on, and whether the memory is currently quarantined.
/// </summary>
/// <param name="Id">Ledger id (0 before it is stored).</param>
/// <param name="Candidate">The candidate memory's content or key.</param>
/// <param name="Layer">The layer the memory depends on (its index for the access rule).</param>
/// <param name="Decision">Accepted, rejected or overridden.</param>
/// <param name="DecidedBy">The layer that decided.</param>
/// <param name="ConstraintValues">C0..C3 (≤ 0 satisfied).</param>
/// <param name="Quarantined">Whether access is currently withheld.</param>
/// <param name="RecordedUtc">When it was written.</param>
public sealed record TraceRecord(long Id, string Candidate, SafetyLayer Layer, TraceDecision Decision, SafetyLayer DecidedBy,
    IReadOnlyList<double> ConstraintValues, bool Quarantined, DateTime RecordedUtc);

/// <summary>An unresolved item of the residual ledger: a violation, an ambiguity or soft-rule override debt.</summary>
/// <param name="Id">Ledger id (0 before it is stored).</param>
/// <param name="TraceId">The trace it belongs to, if any.</param>
/// <param name="Kind">"violation", "ambiguity" or "override".</param>
/// <param name="Layer">The layer concerned.</param>
/// <param name="Debt">How much is owed (e.g. the violation size).</param>
/// <param name="Note">Free text.</param>
public sealed record ResidualRecord(long Id, long? TraceId, string Kind, SafetyLayer Layer, double Debt, string Note);
