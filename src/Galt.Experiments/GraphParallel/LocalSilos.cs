using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Galt.Continual;
using Galt.Orleans;
using Microsoft.Extensions.Hosting;

namespace Galt.Experiments.GraphParallel;

/// <summary>
/// N <c>galt silo</c> processes on this machine (localhost clustering on free loopback ports, the first the primary) and
/// a client connected to them; disposing stops the client and kills the silos. The CLI started is this process's
/// Galt.Cli.dll, or <c>$GALT_CLI_DLL</c> when set (tests, whose entry assembly is the test host).
/// </summary>
public sealed class LocalSilos : ISiloCluster
{
    private readonly List<Process> _silos = new();
    private readonly IHost? _client;

    /// <summary>
    /// Starts <paramref name="count"/> silos one after another, each awaited until it reports ready, then connects. Block
    /// rounds on them run with <paramref name="threadsPerBlock"/> libtorch threads.
    /// </summary>
    public LocalSilos(int count, IProgressSink progress, int threadsPerBlock = 1, TimeSpan? startTimeout = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"--silos must be ≥ 1; got {count}.");
        string cli = CliPath();
        SiloPorts = FreePorts(count);
        GatewayPorts = FreePorts(count);
        try
        {
            using var bar = progress.Start($"starting {count} silo process{(count == 1 ? "" : "es")}", count);
            for (int k = 0; k < count; k++)
            {
                _silos.Add(StartSilo(cli, new[] { "--port", SiloPorts[k].ToString(), "--gateway", GatewayPorts[k].ToString(), "--primary", SiloPorts[0].ToString(), "--threads-per-block", threadsPerBlock.ToString() },
                    $"silo on port {SiloPorts[k]}", startTimeout ?? TimeSpan.FromSeconds(90)));
                bar.Advance(1);
            }
            _client = LocalhostClustering.Client(GatewayPorts);
            _client.StartAsync().GetAwaiter().GetResult();
            Client = _client.ClusterClient();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The client of the cluster.</summary>
    public IClusterClient Client { get; } = null!;

    /// <summary>Silo processes started.</summary>
    public int Count => SiloPorts.Count;

    /// <summary>Where the silos are, in words.</summary>
    public string Description => $"{Count} silo processes on this machine (localhost clustering, loopback ports {string.Join(", ", SiloPorts)})";

    /// <summary>Silo-to-silo port of silo k (loopback).</summary>
    public IReadOnlyList<int> SiloPorts { get; }

    /// <summary>Gateway (client) port of silo k (loopback).</summary>
    public IReadOnlyList<int> GatewayPorts { get; }

    /// <summary>Process ids of the silos, silo k at k.</summary>
    public IReadOnlyList<int> ProcessIds => _silos.Select(p => p.Id).ToArray();

    /// <summary>The galt CLI this process runs, or <c>$GALT_CLI_DLL</c> when set.</summary>
    internal static string CliPath()
    {
        string cli = Environment.GetEnvironmentVariable("GALT_CLI_DLL") is { Length: > 0 } configured ? configured : Assembly.GetEntryAssembly()?.Location ?? "";
        if (!cli.EndsWith("Galt.Cli.dll", StringComparison.Ordinal) || !File.Exists(cli))
            throw new InvalidOperationException($"starting silos needs the galt CLI (Galt.Cli.dll); this process runs '{cli}'. Set GALT_CLI_DLL to the CLI's path.");
        return cli;
    }

    /// <summary>
    /// Starts <c>galt silo</c> with <paramref name="arguments"/> and waits until it reports ready; <paramref name="what"/>
    /// names it in errors. The silo stops when this process closes its standard input (dies, even by SIGKILL).
    /// </summary>
    internal static Process StartSilo(string cli, IEnumerable<string> arguments, string what, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        // --until-stdin-closes: a silo whose parent dies (even by SIGKILL) sees its stdin close and stops, instead of lingering.
        foreach (var a in new[] { cli, "silo" }.Concat(arguments).Append("--until-stdin-closes")) start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a silo process.");
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("galt silo: ready", StringComparison.Ordinal) == true) ready.TrySetResult(true); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.Exited += (_, _) => ready.TrySetResult(false);
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(timeout) || !ready.Task.Result)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            string said; lock (errors) said = errors.ToString();
            throw new InvalidOperationException($"{what} did not report ready within {timeout.TotalSeconds:0} s{(said.Length > 0 ? $"; it said: {said.Trim()}" : "")}.");
        }
        return process;
    }

    /// <summary><paramref name="count"/> loopback ports free at the time of the call.</summary>
    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }

    /// <summary>Stops the client and kills every silo.</summary>
    public void Dispose()
    {
        try { _client?.StopAsync().Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _client?.Dispose();
        foreach (var p in _silos)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(10_000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        _silos.Clear();
    }
}
