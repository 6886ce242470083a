using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Galt.Orleans;

/// <summary>
/// Silos and clients of a cluster on one machine (Orleans' localhost clustering: the first silo is the membership's
/// primary, every silo and client finds the others by loopback port). Several machines need a real membership table
/// instead: <see cref="PostgreSqlClustering"/>.
/// </summary>
public static class LocalhostClustering
{
    /// <summary>
    /// How long a call may take before Orleans gives up on it (its default is 30 s): a block round on a large block, or a
    /// placement carrying its state, on a loaded machine can take longer, and a timed-out round is a failed minibatch.
    /// </summary>
    public static TimeSpan RoundTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Orleans' defaults: silo-to-silo port and gateway (client) port of the first silo.</summary>
    public const int FirstSiloPort = 11111, FirstGatewayPort = 30000;

    /// <summary>
    /// A silo host on loopback: silo port <paramref name="siloPort"/>, gateway <paramref name="gatewayPort"/>, joining the
    /// cluster whose primary silo listens on <paramref name="primarySiloPort"/>; block grains built by <paramref name="factory"/>.
    /// Each block round runs with <paramref name="threadsPerBlock"/> libtorch threads. Orleans logs warnings and errors only.
    /// </summary>
    public static IHost Silo(int siloPort, int gatewayPort, int primarySiloPort, IBlockFactory factory, string clusterId = "galt", int threadsPerBlock = 1) =>
        ClusterHosts.Silo(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, primarySiloPort), serviceId: clusterId, clusterId: clusterId),
            factory, threadsPerBlock);

    /// <summary>A client host of the localhost cluster reached through <paramref name="gatewayPorts"/>; start it, then take its <c>IClusterClient</c>.</summary>
    public static IHost Client(IReadOnlyList<int> gatewayPorts, string clusterId = "galt") =>
        ClusterHosts.Client(client => client.UseLocalhostClustering(gatewayPorts.ToArray(), serviceId: clusterId, clusterId: clusterId));

    /// <summary>The cluster client of a started client host.</summary>
    public static IClusterClient ClusterClient(this IHost client) => client.Services.GetRequiredService<IClusterClient>();
}
