// Galt.Memory from its package: the hierarchical access rule and the SQLite trace ledger (Microsoft.Data.Sqlite
// restored as the package's dependency). Exit code 1 unless a violation quarantines the memories that depend on it.
using Galt.Memory;

string path = Path.Combine(Path.GetTempPath(), $"galt-consumer-{Environment.ProcessId}.db");
try
{
    using (var ledger = TraceLedger.Open(path))
    {
        foreach (var layer in HierarchicalAccess.MemoryLayers)
            ledger.AppendTrace(new TraceRecord(0, $"memory at {layer}", layer, TraceDecision.Accepted, layer, new double[] { -1, -1, -1, -1 }, false, DateTime.UtcNow));
        int quarantined = ledger.ApplyViolation(SafetyLayer.Social);
        var withheld = ledger.Traces().Where(t => t.Quarantined).Select(t => t.Layer).ToArray();
        Console.WriteLine($"Galt.Memory: a {SafetyLayer.Social} violation quarantined {quarantined} of {ledger.Traces().Count} traces ({string.Join(", ", withheld)})");
        bool rule = withheld.SequenceEqual(HierarchicalAccess.QuarantinedBy(SafetyLayer.Social));
        return quarantined > 0 && rule ? 0 : 1;
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    File.Delete(path);
}
