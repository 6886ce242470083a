using System.Net;
using System.Reflection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Galt.Orleans;

/// <summary>
/// Silos and clients of a cluster on several machines, whose membership is a table in PostgreSQL (Orleans' ADO.NET
/// clustering with the Npgsql provider). Every silo and client is given the same connection string and cluster id; the
/// table tells them which silos are alive and where. The database needs the membership schema once:
/// <see cref="InstallSchemaAsync"/> (which <see cref="Silo"/>'s callers run first; silos starting together install it
/// once). Deployment step by step: docs/distributed.md in the repository.
/// </summary>
public static class PostgreSqlClustering
{
    /// <summary>The ADO.NET provider invariant Orleans loads for PostgreSQL (the Npgsql package, a dependency of this one).</summary>
    public const string Invariant = "Npgsql";

    private const long SchemaLockKey = 0x6A17_0B5E_0001;

    /// <summary>
    /// The SQL that creates the membership schema: the tables Orleans reads and writes and the queries it runs, in
    /// Orleans' contract (query keys, parameter and column names). A database administrator may run it by hand instead of
    /// <see cref="InstallSchemaAsync"/>.
    /// </summary>
    public static string SchemaScript { get; } = ReadSchema();

    /// <summary>
    /// Creates the membership schema in the database <paramref name="connectionString"/> names, unless it is there
    /// already; in one transaction under an advisory lock, so concurrent callers create it once. Returns true when this
    /// call created it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database cannot be reached or refused the schema; the message names the server and database.</exception>
    public static async Task<bool> InstallSchemaAsync(string connectionString, CancellationToken cancellation = default)
    {
        var builder = Parse(connectionString);
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellation).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
                await lockCommand.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            await using (var exists = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", connection, transaction))
            {
                if ((bool)(await exists.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!)
                    return false;
            }
            await using (var create = new NpgsqlCommand(SchemaScript, connection, transaction))
                await create.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            await transaction.CommitAsync(cancellation).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"the membership database '{builder.Database}' on {builder.Host}:{builder.Port} could not be prepared: {e.Message}", e);
        }
    }

    /// <summary>
    /// A silo host in the cluster <paramref name="clusterId"/> whose membership is in <paramref name="connectionString"/>'s
    /// database: other silos and clients reach it at <paramref name="advertisedAddress"/> on <paramref name="siloPort"/>
    /// (silo to silo) and <paramref name="gatewayPort"/> (clients); block grains built by <paramref name="factory"/>, each
    /// round with <paramref name="threadsPerBlock"/> libtorch threads. Orleans logs warnings and errors only.
    /// </summary>
    public static IHost Silo(string connectionString, IPAddress advertisedAddress, int siloPort, int gatewayPort, IBlockFactory factory,
        string clusterId = "galt", int threadsPerBlock = 1)
    {
        ArgumentNullException.ThrowIfNull(advertisedAddress);
        string checkedConnection = Parse(connectionString).ConnectionString;
        return ClusterHosts.Silo(silo =>
        {
            silo.UseAdoNetClustering(o => { o.Invariant = Invariant; o.ConnectionString = checkedConnection; });
            silo.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
            silo.ConfigureEndpoints(advertisedAddress, siloPort, gatewayPort);
        }, factory, threadsPerBlock);
    }

    /// <summary>A client host of the cluster <paramref name="clusterId"/> whose membership is in <paramref name="connectionString"/>'s database; start it, then take its <c>IClusterClient</c>.</summary>
    public static IHost Client(string connectionString, string clusterId = "galt")
    {
        string checkedConnection = Parse(connectionString).ConnectionString;
        return ClusterHosts.Client(client =>
        {
            client.UseAdoNetClustering(o => { o.Invariant = Invariant; o.ConnectionString = checkedConnection; });
            client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
        });
    }

    /// <summary>
    /// <paramref name="connectionString"/> with its password masked, for logs and run records; a string that does not
    /// parse is masked whole. Passwords are better kept out of connection strings altogether (PGPASSWORD or a .pgpass file).
    /// </summary>
    public static string Redacted(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password)) builder.Password = "***";
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "*** (not a connection string)";
        }
    }

    private static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("the membership connection string is empty; give one such as 'Host=db.example;Database=galt;Username=galt;Password=…'.", nameof(connectionString));
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host)) throw new ArgumentException("it names no Host");
            return builder;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"the membership connection string is not a PostgreSQL (Npgsql) connection string: {e.Message}.", nameof(connectionString), e);
        }
    }

    private static string ReadSchema()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Galt.Orleans.Membership.PostgreSqlMembership.sql")
            ?? throw new InvalidOperationException("Galt.Orleans was built without its membership schema (embedded resource missing).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
