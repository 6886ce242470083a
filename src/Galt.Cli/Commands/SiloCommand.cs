using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Galt.Experiments.GraphParallel;
using Galt.Orleans;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary>
/// <c>galt silo</c>: an Orleans silo that holds GALT block grains until stopped (Ctrl+C, SIGTERM): on loopback (localhost
/// clustering), or with <c>--membership</c> in a cluster of several machines whose membership table is in PostgreSQL (the
/// schema is installed when missing). <c>galt run graph-demo --executor orleans</c> starts its own, or joins these with
/// <c>--membership</c>.
/// </summary>
public static class SiloCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var port = new Option<int>("--port") { Description = "Silo-to-silo port.", DefaultValueFactory = _ => LocalhostClustering.FirstSiloPort };
        var gateway = new Option<int>("--gateway") { Description = "Gateway (client) port.", DefaultValueFactory = _ => LocalhostClustering.FirstGatewayPort };
        var primary = new Option<int?>("--primary") { Description = "Localhost clustering: silo port of the cluster's primary silo (default: this silo's own: it is the primary)." };
        var membership = new Option<string?>("--membership")
        {
            Description = "PostgreSQL connection string of the cluster's membership table (several machines), e.g. 'Host=db;Database=galt;Username=galt' " +
                          "(password: PGPASSWORD or ~/.pgpass). Without it: localhost clustering on loopback.",
        };
        var advertise = new Option<string?>("--advertise") { Description = "With --membership: the address other machines reach this silo at (default: this machine's first non-loopback IPv4 address)." };
        var clusterId = new Option<string>("--cluster-id") { Description = "Cluster and service id.", DefaultValueFactory = _ => "galt" };
        var threads = new Option<int>("--threads-per-block") { Description = "libtorch intra-op threads each block round runs with (default 1).", DefaultValueFactory = _ => 1 };
        var watchStdin = new Option<bool>("--until-stdin-closes") { Description = "Also stop when standard input closes (a parent process that starts silos uses it).", Hidden = true };
        var command = new Command("silo", "Start an Orleans silo on this machine that holds GALT block grains (localhost clustering; several machines: docs/distributed.md).")
            { port, gateway, primary, membership, advertise, clusterId, threads, watchStdin };
        command.SetAction(parse => CommandGuard.Run<Exception>(console, () =>
        {
            int siloPort = parse.GetValue(port), gatewayPort = parse.GetValue(gateway);
            string? table = parse.GetValue(membership);
            if (table is null && parse.GetValue(advertise) is not null) throw new InvalidOperationException("--advertise needs --membership (localhost clustering listens on loopback).");
            if (table is not null && parse.GetValue(primary) is not null) throw new InvalidOperationException("--primary is for localhost clustering; with --membership the table says who is in the cluster.");
            IHost host;
            string where;
            if (table is null)
            {
                host = LocalhostClustering.Silo(siloPort, gatewayPort, parse.GetValue(primary) ?? siloPort, new ExperimentBlocks(), parse.GetValue(clusterId)!, parse.GetValue(threads));
                where = "loopback";
            }
            else
            {
                var address = Advertised(parse.GetValue(advertise));
                if (PostgreSqlClustering.InstallSchemaAsync(table).GetAwaiter().GetResult())
                    Console.Error.WriteLine($"galt silo: installed the membership schema in {PostgreSqlClustering.Redacted(table)}");
                host = PostgreSqlClustering.Silo(table, address, siloPort, gatewayPort, new ExperimentBlocks(), parse.GetValue(clusterId)!, parse.GetValue(threads));
                where = $"{address}, membership {PostgreSqlClustering.Redacted(table)}";
            }
            using var _ = host;
            host.StartAsync().GetAwaiter().GetResult();
            // The line LocalSilos waits for: plain stdout, not the console's markup.
            Console.Out.WriteLine($"galt silo: ready, silo port {siloPort}, gateway {gatewayPort} ({where})");
            Console.Out.Flush();
            var stopped = host.WaitForShutdownAsync();
            if (parse.GetValue(watchStdin)) Task.WaitAny(stopped, Task.Run(() => { while (Console.In.Read() >= 0) { } }));
            else stopped.Wait();
            host.StopAsync().Wait(TimeSpan.FromSeconds(10));
        }));
        return command;
    }

    /// <summary>The address given (an IP address or a host name), else this machine's first non-loopback IPv4 address.</summary>
    private static IPAddress Advertised(string? given)
    {
        if (given is not null)
        {
            if (IPAddress.TryParse(given, out var parsed)) return parsed;
            try { return Dns.GetHostAddresses(given).First(a => a.AddressFamily == AddressFamily.InterNetwork); }
            catch (Exception e) when (e is SocketException or InvalidOperationException) { throw new InvalidOperationException($"--advertise '{given}' is neither an IP address nor a host name that resolves to an IPv4 address.", e); }
        }
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException("this machine has no non-loopback IPv4 address to advertise; give --advertise.");
    }
}
