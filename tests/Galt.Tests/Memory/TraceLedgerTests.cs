using System.Diagnostics;
using Galt.Memory;

namespace Galt.Tests.Memory;

public class TraceLedgerTests
{
    private static TraceRecord Trace(string candidate, SafetyLayer layer, params double[] c) =>
        new(0, candidate, layer, TraceDecision.Accepted, SafetyLayer.None, c.Length == 4 ? c : new[] { -1.0, -1, -1, -1 }, false, DateTime.UtcNow);

    [Fact]
    public void TracesAndResidualsSurviveReopening()
    {
        string path = Path.Combine(TempDir.Create(), "ledger.db");
        using (var ledger = TraceLedger.Open(path))
        {
            var ids = ledger.AppendTraces(new[] { Trace("a", SafetyLayer.Task), Trace("b", SafetyLayer.Social) });
            ledger.AppendResidual(new ResidualRecord(0, ids[0], "override", SafetyLayer.Preference, 0.3, "soft preference overridden"));
        }
        using var reopened = TraceLedger.Open(path);
        Assert.Equal(new[] { "a", "b" }, reopened.Traces().Select(t => t.Candidate));
        Assert.Equal(SafetyLayer.Social, reopened.Traces()[1].Layer);
        Assert.Equal(0.3, Assert.Single(reopened.Residuals()).Debt);
    }

    [Fact]
    public void AViolationQuarantinesDependentMemoriesAndContainsHigherOnes()
    {
        string path = Path.Combine(TempDir.Create(), "ledger.db");
        using var ledger = TraceLedger.Open(path);
        ledger.AppendTraces(new[] { Trace("hard", SafetyLayer.HardAdmissibility), Trace("social", SafetyLayer.Social), Trace("task", SafetyLayer.Task), Trace("pref", SafetyLayer.Preference) });
        Assert.Equal(2, ledger.ApplyViolation(SafetyLayer.Task));
        var quarantined = ledger.Traces().ToDictionary(t => t.Candidate, t => t.Quarantined);
        Assert.False(quarantined["hard"]);
        Assert.False(quarantined["social"]);
        Assert.True(quarantined["task"]);
        Assert.True(quarantined["pref"]);
        Assert.All(ledger.Traces(), t => Assert.Equal(HierarchicalAccess.Allows(t.Layer, SafetyLayer.Task), !t.Quarantined));
    }

    [Theory]
    [InlineData(SafetyLayer.HardAdmissibility, 4)]
    [InlineData(SafetyLayer.Social, 3)]
    [InlineData(SafetyLayer.Preference, 1)]
    [InlineData(SafetyLayer.None, 0)]
    public void EveryViolationQuarantinesExactlyWhatTheAccessRuleDenies(SafetyLayer violation, int expected)
    {
        using var ledger = TraceLedger.Open(Path.Combine(TempDir.Create(), "ledger.db"));
        ledger.AppendTraces(HierarchicalAccess.MemoryLayers.Select(m => Trace(m.ToString(), m)).ToArray());
        Assert.Equal(expected, ledger.ApplyViolation(violation));
        Assert.All(ledger.Traces(), t => Assert.Equal(HierarchicalAccess.Allows(t.Layer, violation), !t.Quarantined));
    }

    [Fact]
    public void AFailedWriteLeavesTheLedgerUnchanged()
    {
        string path = Path.Combine(TempDir.Create(), "ledger.db");
        using var ledger = TraceLedger.Open(path);
        ledger.AppendTrace(Trace("kept", SafetyLayer.Task));
        var e = Assert.Throws<LedgerException>(() => ledger.AppendTraces(new[] { Trace("ok", SafetyLayer.Task), Trace("bad", SafetyLayer.Task, -1, double.NaN, -1, -1) }));
        Assert.Contains("'bad'", e.Message);
        Assert.Contains("Nothing was written", e.Message);
        Assert.Throws<LedgerException>(() => ledger.AppendResidual(new ResidualRecord(0, null, "not-a-kind", SafetyLayer.Task, 1, "")));
        Assert.Equal(new[] { "kept" }, ledger.Traces().Select(t => t.Candidate));
        Assert.Empty(ledger.Residuals());
    }

    [Fact]
    public void CorruptAndForeignFilesAreRefusedAndLeftAlone()
    {
        string dir = TempDir.Create();
        string corrupt = Path.Combine(dir, "corrupt.db");
        File.WriteAllText(corrupt, "this is not a database, just text that happens to be long enough to look like a file");
        byte[] before = File.ReadAllBytes(corrupt);
        var e = Assert.Throws<LedgerException>(() => TraceLedger.Open(corrupt));
        Assert.Contains("corrupt.db", e.Message);
        Assert.Contains("left untouched", e.Message);
        Assert.Equal(before, File.ReadAllBytes(corrupt));

        string foreign = Path.Combine(dir, "foreign.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);";
            command.ExecuteNonQuery();
        }
        var f = Assert.Throws<LedgerException>(() => TraceLedger.Open(foreign));
        Assert.Contains("not a Galt ledger", f.Message);
    }

    [Fact]
    public void AWriterKilledMidStreamLosesNoCommittedTrace()
    {
        string path = Path.Combine(TempDir.Create(), "ledger.db");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Galt.Cli.dll"), "ledger", "write-test", path, "--count", "1000000" })
            info.ArgumentList.Add(arg);
        var committed = new List<long>();
        using (var writer = Process.Start(info)!)
        {
            while (committed.Count < 200 && writer.StandardOutput.ReadLine() is { } line)
                committed.Add(long.Parse(line));
            writer.Kill(entireProcessTree: true);
            writer.WaitForExit();
        }
        Assert.True(committed.Count >= 200, $"the writer printed only {committed.Count} ids before stopping");
        using var ledger = TraceLedger.Open(path); // runs SQLite's integrity check
        var stored = ledger.Traces().Select(t => t.Id).ToHashSet();
        Assert.All(committed, id => Assert.Contains(id, stored));
    }
}

public class AdjudicatorTests
{
    [Fact]
    public void HardViolationsAreRejectedSoftOnesBecomeDebtAndOnlyAdmittedContentIsConsolidated()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        string path = Path.Combine(TempDir.Create(), "ledger.db");
        using var ledger = TraceLedger.Open(path);
        using var adjudicator = new Adjudicator(ledger);
        var ok = adjudicator.Adjudicate(new MemoryCandidate("fact", TorchSharp.torch.ones(3), SafetyLayer.Task, new[] { -1.0, -1, -1, -1 }));
        var harmful = adjudicator.Adjudicate(new MemoryCandidate("harm", TorchSharp.torch.full(3, 10f), SafetyLayer.Task, new[] { -1.0, 0.4, -1, -1 }));
        var pref = adjudicator.Adjudicate(new MemoryCandidate("style", TorchSharp.torch.full(3, 2f), SafetyLayer.Preference, new[] { -1.0, -1, -1, 0.2 }));

        Assert.Equal((1.0, TraceDecision.Accepted), (ok.Gate, ok.Trace.Decision));
        Assert.Equal((0.0, TraceDecision.Rejected, SafetyLayer.Social), (harmful.Gate, harmful.Trace.Decision, harmful.Trace.DecidedBy));
        Assert.Equal((1.0, TraceDecision.Overridden), (pref.Gate, pref.Trace.Decision));
        Assert.Equal(new float[] { 3, 3, 3 }, adjudicator.Memory!.data<float>().ToArray()); // 1 + 2; the rejected 10 never entered
        var residuals = ledger.Residuals();
        Assert.Equal(new[] { "violation", "override" }, residuals.Select(r => r.Kind));
        Assert.Equal(harmful.Trace.Id, residuals[0].TraceId);
        Assert.Equal(0.4, residuals[0].Debt, 12);
        Assert.Equal(3, ledger.Traces().Count);
    }
}
