using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Galt.Orleans;

/// <summary>
/// What every Galt silo and client host has whatever its membership: Orleans logs warnings and errors only, calls may
/// take <see cref="LocalhostClustering.RoundTimeout"/>, silos hold block grains. The membership is the caller's.
/// </summary>
internal static class ClusterHosts
{
    public static IHost Silo(Action<ISiloBuilder> membership, IBlockFactory factory, int threadsPerBlock)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            membership(silo);
            silo.AddGaltBlocks(factory, threadsPerBlock);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = LocalhostClustering.RoundTimeout);
        });
        return builder.Build();
    }

    public static IHost Client(Action<IClientBuilder> membership)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            membership(client);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = LocalhostClustering.RoundTimeout);
        });
        return builder.Build();
    }
}
