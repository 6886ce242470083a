using System.Diagnostics;
using Galt.Continual;
using Galt.Experiments.GraphParallel;
using Galt.Orleans;
using Galt.Tests.Data;
using Npgsql;

namespace Galt.Tests.Orleans;

/// <summary>
/// Several machines' deployment on one: a PostgreSQL server of the test's own on loopback holds the membership table;
/// two <c>galt silo --membership</c> processes register in it (the first installs the schema), and a run joins them
/// through the table alone — no silo port is given to it — and trains the graph demo's chain as it does in process.
/// </summary>
public class MembershipTableTests
{
    [SkippableFact]
    public void TheSchemaIsInstalledOnceWhenSilosStartTogether()
    {
        using var server = LoopbackPostgres.Start();
        var installs = Enumerable.Range(0, 3).Select(_ => Task.Run(() => PostgreSqlClustering.InstallSchemaAsync(server.ConnectionString()))).ToArray();
        Task.WaitAll(installs);
        Assert.Equal(1, installs.Count(t => t.Result));
        Assert.False(PostgreSqlClustering.InstallSchemaAsync(server.ConnectionString()).GetAwaiter().GetResult());
        using var connection = new NpgsqlConnection(server.ConnectionString());
        connection.Open();
        using var keys = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);
        Assert.Equal(9L, keys.ExecuteScalar());
    }

    [Fact]
    public void AConnectionStringIsCheckedAndItsPasswordNeverRecorded()
    {
        var e = Assert.Throws<ArgumentException>(() => PostgreSqlClustering.Client("Database=galt"));
        Assert.Contains("names no Host", e.Message);
        Assert.Throws<ArgumentException>(() => PostgreSqlClustering.Client(" "));
        string redacted = PostgreSqlClustering.Redacted("Host=db;Database=galt;Username=galt;Password=s3cret");
        Assert.DoesNotContain("s3cret", redacted);
        Assert.Contains("Host=db", redacted);
        Assert.DoesNotContain("s3cret", PostgreSqlClustering.Redacted("Host=db;Password=s3cret;Bogus Key=1"));
    }

    [SkippableFact]
    public void SilosJoinedThroughTheMembershipTableTrainAsInProcess()
    {
        using var server = LoopbackPostgres.Start();
        string table = server.ConnectionString();
        string cli = Path.Combine(AppContext.BaseDirectory, "Galt.Cli.dll");
        var ports = LocalSilos.FreePorts(4);
        var silos = new List<Process>();
        try
        {
            Process Silo(int k) => LocalSilos.StartSilo(cli, new[] { "--membership", table, "--advertise", "127.0.0.1", "--port", ports[2 * k].ToString(), "--gateway", ports[2 * k + 1].ToString() },
                $"silo {k}", TimeSpan.FromSeconds(90));
            silos.Add(Silo(0));
            // One silo where two are asked for: the join says how many it found instead of placing every block on one.
            var tooFew = Assert.Throws<TimeoutException>(() => SiloClusters.Open(2, table, NullProgress.Instance, joinTimeout: TimeSpan.FromSeconds(3)));
            Assert.Contains("1 active silo(s)", tooFew.Message);
            silos.Add(Silo(1));

            var train = SyntheticMnist.Dataset(256, seed: 1);
            var evaluation = SyntheticMnist.Dataset(128, seed: 2);
            var options = GraphDemoRecipe.Default.Chain with { InnerIterations = 2 };
            var inProcess = GraphDemoTraining.Chain(train, evaluation, options, seed: 3, epochs: 1, NullProgress.Instance, "chain");

            using var cluster = SiloClusters.Open(2, table, NullProgress.Instance, joinTimeout: TimeSpan.FromSeconds(60));
            Assert.Contains("2 of 2 active silos", cluster.Description);
            OrleansBlockHost? host = null;
            ChainOutcome joined;
            try
            {
                joined = GraphDemoTraining.Chain(train, evaluation, options, seed: 3, epochs: 1, NullProgress.Instance, "chain",
                    () => host = new OrleansBlockHost(cluster.Client, GraphDemoBlocks.Specs(), siloOfBlock: new[] { 0, 0, 1, 1 }));
                // Blocks 0–1 on one silo, 2–3 on the other: the placement the table's two silos allow.
                Assert.Equal(2, host!.Placement.Distinct().Count());
            }
            finally
            {
                host?.Dispose();
            }

            Assert.Equal(inProcess.SafetyValue, joined.SafetyValue, 1e-6);
            Assert.Equal(inProcess.Accuracy.Y, joined.Accuracy.Y);
            Assert.All(inProcess.Residuals.Zip(joined.Residuals), r => Assert.Equal(r.First, r.Second, 1e-6));
            Assert.All(inProcess.Blocks.Zip(joined.Blocks), b => Assert.Equal(b.First.Lambda, b.Second.Lambda, 1e-6));

            // The table is what the silos found each other by: both are active rows there.
            using var connection = new NpgsqlConnection(table);
            connection.Open();
            using var active = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3", connection);
            Assert.Equal(2L, active.ExecuteScalar());
        }
        finally
        {
            foreach (var p in silos)
            {
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(10_000); } catch (InvalidOperationException) { }
                p.Dispose();
            }
        }
    }
}
