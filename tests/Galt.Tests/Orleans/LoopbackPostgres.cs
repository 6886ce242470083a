using System.Diagnostics;
using Galt.Experiments.GraphParallel;
using Npgsql;

namespace Galt.Tests.Orleans;

/// <summary>
/// A PostgreSQL server of the test's own: a fresh cluster in a temporary folder, listening on a free loopback port only,
/// trust authentication for the user <c>galt</c>, stopped and deleted on dispose. Run as the <c>postgres</c> user when
/// this process is root (initdb refuses root). The server binaries are Debian's (<c>apt-get install postgresql</c>, which
/// <c>.ci/run</c> does) or any on PATH.
/// </summary>
internal sealed class LoopbackPostgres : IDisposable
{
    private readonly string _folder, _bin;
    private readonly bool _asPostgresUser;

    private LoopbackPostgres(string bin)
    {
        _bin = bin;
        _asPostgresUser = Environment.UserName == "root";
        _folder = Directory.CreateTempSubdirectory("galt-pg-").FullName;
        try
        {
            if (_asPostgresUser)
            {
                Run("chown", "postgres", _folder);
            }
            Port = LocalSilos.FreePorts(1)[0];
            Pg("initdb", "-D", DataFolder, "-U", "galt", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C");
            Pg("pg_ctl", "-D", DataFolder, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
                "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off", "start");
            using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            connection.Open();
            using var create = new NpgsqlCommand("CREATE DATABASE galt", connection);
            create.ExecuteNonQuery();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    private string DataFolder => Path.Combine(_folder, "data");

    /// <summary>A connection string to <paramref name="database"/> (default: the test database <c>galt</c>).</summary>
    public string ConnectionString(string database = "galt") => $"Host=127.0.0.1;Port={Port};Username=galt;Database={database};Pooling=false";

    /// <summary>The folder holding initdb and pg_ctl: the newest of Debian's, else one on PATH; null when there is none.</summary>
    public static string? ServerBinaries()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(HasServer)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0).FirstOrDefault()
            : null;
        return debian ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(HasServer);
        static bool HasServer(string d) => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "postgres"));
    }

    /// <summary>Starts a server; skips the test when no server binaries are installed (or root has no postgres user to run them as).</summary>
    public static LoopbackPostgres Start()
    {
        string? bin = ServerBinaries();
        Skip.If(bin is null, "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on this machine: apt-get install postgresql");
        Skip.If(Environment.UserName == "root" && !File.ReadAllText("/etc/passwd").Contains("\npostgres:"),
            "running as root and there is no postgres user to run the server as (initdb refuses root)");
        return new LoopbackPostgres(bin!);
    }

    private void Pg(string tool, params string[] arguments)
    {
        string path = Path.Combine(_bin, tool);
        if (_asPostgresUser) Run("runuser", new[] { "-u", "postgres", "--", path }.Concat(arguments).ToArray());
        else Run(path, arguments);
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string errors = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000)) { process.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 120 s."); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {errors}{output.Result}");
    }

    /// <summary>Stops the server at once and deletes its folder.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid"))) Pg("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
