using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Galt.Memory;

/// <summary>
/// The persistent trace and residual ledger: SQLite in WAL mode with full synchronous commits, every write in a
/// transaction, a schema version, and an application id that marks the file as Galt's. A committed entry survives a
/// crash; a failed write leaves the ledger as it was; a corrupt or foreign file is refused, never overwritten.
/// </summary>
public sealed class TraceLedger : IDisposable, Galt.Checkpoints.ICheckpointable
{
    /// <summary>Schema version written to <c>PRAGMA user_version</c>.</summary>
    public const int SchemaVersion = 1;

    /// <summary><c>PRAGMA application_id</c> of a Galt ledger ("GALT").</summary>
    public const int ApplicationId = 0x47414C54;

    private readonly SqliteConnection _connection;

    private TraceLedger(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (or creates) the ledger at <paramref name="path"/>; throws <see cref="LedgerException"/> for a file that is not a Galt ledger.</summary>
    public static TraceLedger Open(string path)
    {
        bool existed = File.Exists(path) && new FileInfo(path).Length > 0;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            connection.Open();
            int applicationId = Scalar<long>(connection, "PRAGMA application_id;") is var id ? (int)id : 0;
            int version = (int)Scalar<long>(connection, "PRAGMA user_version;");
            long tables = Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table';");
            if (existed && applicationId != ApplicationId && tables > 0)
                throw new LedgerException($"{path}: a SQLite database that is not a Galt ledger (application id 0x{applicationId:X8}); refusing to use or overwrite it.");
            if (version > SchemaVersion)
                throw new LedgerException($"{path}: ledger schema version {version} is newer than this Galt ({SchemaVersion}).");
            if (Scalar<string>(connection, "PRAGMA quick_check;") is var check && check != "ok")
                throw new LedgerException($"{path}: the ledger failed SQLite's integrity check ({check}).");
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            if (tables == 0)
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, $@"
                    PRAGMA application_id = {ApplicationId};
                    PRAGMA user_version = {SchemaVersion};
                    CREATE TABLE traces (id INTEGER PRIMARY KEY AUTOINCREMENT, candidate TEXT NOT NULL, layer INTEGER NOT NULL CHECK (layer BETWEEN 0 AND 3),
                        decision INTEGER NOT NULL, decided_by INTEGER NOT NULL, c0 REAL NOT NULL, c1 REAL NOT NULL, c2 REAL NOT NULL, c3 REAL NOT NULL,
                        quarantined INTEGER NOT NULL, recorded_utc TEXT NOT NULL);
                    CREATE TABLE residuals (id INTEGER PRIMARY KEY AUTOINCREMENT, trace_id INTEGER REFERENCES traces(id), kind TEXT NOT NULL
                        CHECK (kind IN ('violation', 'ambiguity', 'override')), layer INTEGER NOT NULL, debt REAL NOT NULL, note TEXT NOT NULL);", transaction);
                transaction.Commit();
            }
            return new TraceLedger(path, connection);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new LedgerException($"{path}: not a readable SQLite ledger ({e.Message.TrimEnd('.')}); the file is corrupt or of another kind, and was left untouched.", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Appends traces in one transaction (all or none); returns their ids.</summary>
    public IReadOnlyList<long> AppendTraces(IReadOnlyList<TraceRecord> traces)
    {
        foreach (var t in traces) Validate(t);
        using var transaction = _connection.BeginTransaction();
        var ids = new List<long>(traces.Count);
        foreach (var t in traces)
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = @"INSERT INTO traces (candidate, layer, decision, decided_by, c0, c1, c2, c3, quarantined, recorded_utc)
                                    VALUES ($candidate, $layer, $decision, $decidedBy, $c0, $c1, $c2, $c3, $quarantined, $utc); SELECT last_insert_rowid();";
            command.Parameters.AddWithValue("$candidate", t.Candidate);
            command.Parameters.AddWithValue("$layer", (int)t.Layer);
            command.Parameters.AddWithValue("$decision", (int)t.Decision);
            command.Parameters.AddWithValue("$decidedBy", (int)t.DecidedBy);
            for (int c = 0; c < 4; c++) command.Parameters.AddWithValue($"$c{c}", t.ConstraintValues[c]);
            command.Parameters.AddWithValue("$quarantined", t.Quarantined ? 1 : 0);
            command.Parameters.AddWithValue("$utc", t.RecordedUtc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            ids.Add((long)command.ExecuteScalar()!);
        }
        transaction.Commit();
        return ids;
    }

    /// <summary>Appends one trace; returns its id.</summary>
    public long AppendTrace(TraceRecord trace) => AppendTraces(new[] { trace })[0];

    /// <summary>Appends a residual item; returns its id.</summary>
    public long AppendResidual(ResidualRecord residual)
    {
        if (!double.IsFinite(residual.Debt)) throw new LedgerException($"{Path}: residual debt {residual.Debt} is not finite; nothing was written.");
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO residuals (trace_id, kind, layer, debt, note) VALUES ($trace, $kind, $layer, $debt, $note); SELECT last_insert_rowid();";
        command.Parameters.AddWithValue("$trace", (object?)residual.TraceId ?? DBNull.Value);
        command.Parameters.AddWithValue("$kind", residual.Kind);
        command.Parameters.AddWithValue("$layer", (int)residual.Layer);
        command.Parameters.AddWithValue("$debt", residual.Debt);
        command.Parameters.AddWithValue("$note", residual.Note);
        try
        {
            long id = (long)command.ExecuteScalar()!;
            transaction.Commit();
            return id;
        }
        catch (SqliteException e)
        {
            throw new LedgerException($"{Path}: residual refused ({e.Message.TrimEnd('.')}); nothing was written.", e);
        }
    }

    /// <summary>Quarantines, in one transaction, every trace whose layer a violation at <paramref name="violated"/> breaks under the access rule (<see cref="HierarchicalAccess.QuarantinedBy"/>); returns how many changed.</summary>
    public int ApplyViolation(SafetyLayer violated)
    {
        // The layers to quarantine come from the access rule itself (HierarchicalAccess), not from a restated comparison.
        var layers = HierarchicalAccess.QuarantinedBy(violated);
        if (layers.Count == 0) return 0;
        using var transaction = _connection.BeginTransaction();
        string inList = string.Join(", ", layers.Select(l => ((int)l).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        int changed = Execute(_connection, $"UPDATE traces SET quarantined = 1 WHERE layer IN ({inList}) AND quarantined = 0;", transaction);
        transaction.Commit();
        return changed;
    }

    /// <summary>Every trace, in id order.</summary>
    public IReadOnlyList<TraceRecord> Traces()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, candidate, layer, decision, decided_by, c0, c1, c2, c3, quarantined, recorded_utc FROM traces ORDER BY id;";
        using var reader = command.ExecuteReader();
        var result = new List<TraceRecord>();
        while (reader.Read())
            result.Add(new TraceRecord(reader.GetInt64(0), reader.GetString(1), (SafetyLayer)reader.GetInt32(2), (TraceDecision)reader.GetInt32(3),
                (SafetyLayer)reader.GetInt32(4), new[] { reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8) },
                reader.GetInt32(9) != 0, DateTime.Parse(reader.GetString(10), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        return result;
    }

    /// <summary>Every residual item, in id order.</summary>
    public IReadOnlyList<ResidualRecord> Residuals()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, trace_id, kind, layer, debt, note FROM residuals ORDER BY id;";
        using var reader = command.ExecuteReader();
        var result = new List<ResidualRecord>();
        while (reader.Read())
            result.Add(new ResidualRecord(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2), (SafetyLayer)reader.GetInt32(3), reader.GetDouble(4), reader.GetString(5)));
        return result;
    }

    private void Validate(TraceRecord t)
    {
        if (t.Layer == SafetyLayer.None) throw new LedgerException($"{Path}: trace '{t.Candidate}' is indexed by None; a memory depends on a layer C0..C3. Nothing was written.");
        if (t.ConstraintValues.Count != 4 || t.ConstraintValues.Any(v => !double.IsFinite(v)))
            throw new LedgerException($"{Path}: trace '{t.Candidate}' needs four finite constraint values C0..C3; got [{string.Join(", ", t.ConstraintValues)}]. Nothing was written.");
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    private static int Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// The ledger's position for a training checkpoint: the last trace and residual ids and which traces are quarantined.
    /// The records themselves stay in the ledger (it is its own durable store).
    /// </summary>
    public void Save(Galt.Checkpoints.CheckpointWriter writer)
    {
        writer.Longs("last_ids", new[] { Scalar<long>(_connection, "SELECT COALESCE(MAX(id), 0) FROM traces;"), Scalar<long>(_connection, "SELECT COALESCE(MAX(id), 0) FROM residuals;") });
        writer.Longs("quarantined", Traces().Where(t => t.Quarantined).Select(t => t.Id).ToArray());
    }

    /// <summary>
    /// Checks that the ledger still holds everything up to the checkpointed position (else the checkpoint is refused:
    /// records were lost); the returned action rolls the ledger back to that position in one transaction: records
    /// appended after the checkpoint are removed (the resumed run appends them again, with the same ids) and the
    /// quarantine flags are those of the checkpoint.
    /// </summary>
    public Action Prepare(Galt.Checkpoints.CheckpointReader reader)
    {
        var last = reader.Longs("last_ids");
        if (last.Length != 2 || last.Any(v => v < 0)) throw reader.Error("last_ids", "not two non-negative ids.");
        var quarantined = reader.Longs("quarantined").ToHashSet();
        foreach (var (table, id) in new[] { ("traces", last[0]), ("residuals", last[1]) })
            if (id > 0 && Scalar<long>(_connection, $"SELECT COUNT(*) FROM {table} WHERE id = {id};") == 0)
                throw reader.Error("last_ids", $"the ledger '{Path}' no longer holds {table} row {id}, which the run had written before its checkpoint; it is not the run's ledger, or records were lost.");
        return () =>
        {
            using var transaction = _connection.BeginTransaction();
            Execute(_connection, $"DELETE FROM residuals WHERE id > {last[1]};", transaction);
            Execute(_connection, $"DELETE FROM traces WHERE id > {last[0]};", transaction);
            Execute(_connection, $"UPDATE sqlite_sequence SET seq = {last[0]} WHERE name = 'traces';", transaction);
            Execute(_connection, $"UPDATE sqlite_sequence SET seq = {last[1]} WHERE name = 'residuals';", transaction);
            Execute(_connection, "UPDATE traces SET quarantined = 0;", transaction);
            if (quarantined.Count > 0)
                Execute(_connection, $"UPDATE traces SET quarantined = 1 WHERE id IN ({string.Join(", ", quarantined)});", transaction);
            transaction.Commit();
        };
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
