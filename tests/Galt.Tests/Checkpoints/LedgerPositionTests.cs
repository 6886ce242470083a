using Galt.Checkpoints;
using Galt.Memory;

namespace Galt.Tests.Checkpoints;

/// <summary>The ledger's position in a training checkpoint: restoring rolls back what was written after it, so the resumed run writes the same records with the same ids.</summary>
public class LedgerPositionTests
{
    private static TraceRecord Trace(string candidate, SafetyLayer layer) =>
        new(0, candidate, layer, TraceDecision.Accepted, SafetyLayer.None, new[] { -1.0, -1, -1, -1 }, false, DateTime.UtcNow);

    [Fact]
    public void RestoringALedgerPositionRollsBackLaterRecordsAndQuarantines()
    {
        string folder = TempDir.Create();
        using var ledger = TraceLedger.Open(Path.Combine(folder, "ledger.db"));
        ledger.AppendTraces(new[] { Trace("a", SafetyLayer.Task), Trace("b", SafetyLayer.Social) });
        string checkpoint = Path.Combine(folder, "run.galt");
        Checkpoint.Save(checkpoint, ledger);

        // After the checkpoint: more traces, a residual, a violation that quarantines "a" — then a crash.
        ledger.AppendTrace(Trace("c", SafetyLayer.Preference));
        ledger.AppendResidual(new ResidualRecord(0, null, "override", SafetyLayer.Preference, 0.2, "later"));
        ledger.ApplyViolation(SafetyLayer.Task);

        Checkpoint.Load(checkpoint, ledger);
        Assert.Equal(new[] { "a", "b" }, ledger.Traces().Select(t => t.Candidate));
        Assert.All(ledger.Traces(), t => Assert.False(t.Quarantined));
        Assert.Empty(ledger.Residuals());
        // The resumed run appends again with the ids the uninterrupted run used.
        Assert.Equal(3, ledger.AppendTrace(Trace("c", SafetyLayer.Preference)));
    }

    [Fact]
    public void ALedgerThatLostCheckpointedRecordsIsRefusedAndKeptAsItIs()
    {
        string folder = TempDir.Create();
        string checkpoint = Path.Combine(folder, "run.galt");
        using (var ledger = TraceLedger.Open(Path.Combine(folder, "ledger.db")))
        {
            ledger.AppendTraces(new[] { Trace("a", SafetyLayer.Task), Trace("b", SafetyLayer.Social) });
            Checkpoint.Save(checkpoint, ledger);
        }
        using var other = TraceLedger.Open(Path.Combine(folder, "other.db"));
        other.AppendTrace(Trace("x", SafetyLayer.Task));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(checkpoint, other));
        Assert.Contains("other.db", e.Message);
        Assert.Contains("row 2", e.Message);
        Assert.Equal(new[] { "x" }, other.Traces().Select(t => t.Candidate));
    }
}
