using Galt.Tensors;
using static TorchSharp.torch;

namespace Galt.Memory;

/// <summary>A candidate memory: its content vector z_t, the layer it depends on, and its constraint values C0..C3 (≤ 0 satisfied).</summary>
/// <param name="Key">A name for the trace.</param>
/// <param name="Content">z_t.</param>
/// <param name="Layer">The layer the memory depends on.</param>
/// <param name="ConstraintValues">C0 (hard admissibility), C1 (social/consent/harm), C2 (task/workflow), C3 (preference).</param>
public sealed record MemoryCandidate(string Key, Tensor Content, SafetyLayer Layer, IReadOnlyList<double> ConstraintValues);

/// <summary>The outcome of adjudicating one candidate.</summary>
/// <param name="Gate">a_t ∈ [0, 1]: how much of the candidate was consolidated.</param>
/// <param name="Trace">The trace written to the ledger.</param>
/// <param name="Residual">The residual item written, if any.</param>
public sealed record Adjudication(double Gate, TraceRecord Trace, ResidualRecord? Residual);

/// <summary>
/// Adjudicated consolidation (paper §3.6): hard admissibility C_hard = max(C0, C1) ≤ 0 decides the gate — a candidate
/// that breaks it is rejected (a_t = 0) and its violation goes to the residual ledger; a candidate that only breaks a
/// soft layer (C2, C3) is consolidated with its violation recorded as override debt, not erased; the memory moves by
/// m ← m + a_t·z_t. Every decision is traced in the ledger.
/// </summary>
public sealed class Adjudicator : IDisposable
{
    private readonly TraceLedger _ledger;
    private Tensor? _memory;

    /// <summary>Adjudicates into <paramref name="ledger"/>.</summary>
    public Adjudicator(TraceLedger ledger) => _ledger = ledger;

    /// <summary>The consolidated memory m (null before the first accepted candidate).</summary>
    public Tensor? Memory => _memory;

    /// <summary>Adjudicates one candidate: decides, traces, records residuals, consolidates.</summary>
    public Adjudication Adjudicate(MemoryCandidate candidate)
    {
        var c = candidate.ConstraintValues;
        if (c.Count != 4 || c.Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"candidate '{candidate.Key}': four finite constraint values C0..C3 are needed; got [{string.Join(", ", c)}].");
        double hard = Math.Max(c[0], c[1]);
        TraceDecision decision;
        SafetyLayer decidedBy;
        double gate;
        ResidualRecord? residual = null;
        if (hard > 0)
        {
            decidedBy = c[0] > 0 ? SafetyLayer.HardAdmissibility : SafetyLayer.Social;
            decision = TraceDecision.Rejected;
            gate = 0;
            residual = new ResidualRecord(0, null, "violation", decidedBy, hard, $"'{candidate.Key}' rejected: C{(int)decidedBy} = {hard:0.####}");
        }
        else if (Math.Max(c[2], c[3]) > 0)
        {
            decidedBy = c[2] > 0 ? SafetyLayer.Task : SafetyLayer.Preference;
            decision = TraceDecision.Overridden;
            gate = 1;
            residual = new ResidualRecord(0, null, "override", decidedBy, Math.Max(c[2], c[3]), $"'{candidate.Key}' kept over a C{(int)decidedBy} objection");
        }
        else
        {
            decidedBy = SafetyLayer.None;
            decision = TraceDecision.Accepted;
            gate = 1;
        }
        var trace = new TraceRecord(0, candidate.Key, candidate.Layer, decision, decidedBy, c, false, DateTime.UtcNow);
        long id = _ledger.AppendTrace(trace);
        trace = trace with { Id = id };
        if (residual is not null) residual = residual with { TraceId = id, Id = _ledger.AppendResidual(residual with { TraceId = id }) };
        if (gate > 0)
        {
            using var noGrad = no_grad();
            var update = candidate.Content.detach().Times(gate);
            if (_memory is null) _memory = update.clone().DetachFromDisposeScope();
            else _memory.PlusInPlace(update);
        }
        return new Adjudication(gate, trace, residual);
    }

    /// <inheritdoc />
    public void Dispose() => _memory?.Dispose();
}
