using System.CommandLine;
using Galt.Experiments.GraphParallel;
using Galt.Orleans;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Galt.Cli.Commands;

/// <summary>
/// <c>galt silo</c>: an Orleans silo that holds GALT block grains, on loopback (localhost clustering) until stopped
/// (Ctrl+C, SIGTERM). <c>galt run graph-demo --executor orleans</c> starts its own.
/// </summary>
public static class SiloCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var port = new Option<int>("--port") { Description = "Silo-to-silo port on loopback.", DefaultValueFactory = _ => LocalhostClustering.FirstSiloPort };
        var gateway = new Option<int>("--gateway") { Description = "Gateway (client) port on loopback.", DefaultValueFactory = _ => LocalhostClustering.FirstGatewayPort };
        var primary = new Option<int?>("--primary") { Description = "Silo port of the cluster's primary silo (default: this silo's own: it is the primary)." };
        var clusterId = new Option<string>("--cluster-id") { Description = "Cluster and service id.", DefaultValueFactory = _ => "galt" };
        var threads = new Option<int>("--threads-per-block") { Description = "libtorch intra-op threads each block round runs with (default 1).", DefaultValueFactory = _ => 1 };
        var watchStdin = new Option<bool>("--until-stdin-closes") { Description = "Also stop when standard input closes (a parent process that starts silos uses it).", Hidden = true };
        var command = new Command("silo", "Start an Orleans silo on this machine that holds GALT block grains (localhost clustering; several machines: docs/distributed.md).")
            { port, gateway, primary, clusterId, threads, watchStdin };
        command.SetAction(parse => CommandGuard.Run<InvalidOperationException>(console, () =>
        {
            int siloPort = parse.GetValue(port), gatewayPort = parse.GetValue(gateway);
            using var host = LocalhostClustering.Silo(siloPort, gatewayPort, parse.GetValue(primary) ?? siloPort, new ExperimentBlocks(), parse.GetValue(clusterId)!, parse.GetValue(threads));
            host.StartAsync().GetAwaiter().GetResult();
            // The line LocalSilos waits for: plain stdout, not the console's markup.
            Console.Out.WriteLine($"galt silo: ready, silo port {siloPort}, gateway {gatewayPort}");
            Console.Out.Flush();
            var stopped = host.WaitForShutdownAsync();
            if (parse.GetValue(watchStdin)) Task.WaitAny(stopped, Task.Run(() => { while (Console.In.Read() >= 0) { } }));
            else stopped.Wait();
            host.StopAsync().Wait(TimeSpan.FromSeconds(10));
        }));
        return command;
    }
}
