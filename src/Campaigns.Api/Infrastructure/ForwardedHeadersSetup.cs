using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Campaigns.Api.Infrastructure;

/// <summary>Settings of the <c>ForwardedHeaders</c> section.</summary>
public sealed class ProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>
    /// Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or CIDR networks, comma-separated, or
    /// <c>*</c> for any. Unset: loopback only, or any on Railway, where every request reaches the service through its proxy.
    /// </summary>
    public string? TrustedProxies { get; set; }
}

public static class ForwardedHeadersSetup
{
    /// <summary>
    /// Behind a proxy the client's address (for the rate limits and the request log) and scheme come from the forwarded
    /// headers. Only the last hop is read (ForwardLimit 1): that is the address the trusted proxy itself saw, which a
    /// client cannot forge by sending its own X-Forwarded-For. Host is never taken from a header.
    /// </summary>
    public static IHostApplicationBuilder AddCampaignForwardedHeaders(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ProxyOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions();
        var onRailway = !string.IsNullOrEmpty(builder.Configuration["RAILWAY_ENVIRONMENT_ID"]) || !string.IsNullOrEmpty(builder.Configuration["RAILWAY_PROJECT_ID"]);
        var trusted = settings.TrustedProxies ?? (onRailway ? "*" : null);
        var (networks, proxies) = Parse(trusted); // a bad entry stops the start here, naming the setting
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            if (trusted is null)
            {
                return; // the framework's default: loopback only
            }

            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            networks.ForEach(options.KnownIPNetworks.Add);
            proxies.ForEach(options.KnownProxies.Add);
        });
        return builder;
    }

    private static (List<System.Net.IPNetwork> Networks, List<IPAddress> Proxies) Parse(string? trusted)
    {
        var (networks, proxies) = (new List<System.Net.IPNetwork>(), new List<IPAddress>());
        foreach (var entry in (trusted ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry == "*")
            {
                networks.Add(System.Net.IPNetwork.Parse("0.0.0.0/0"));
                networks.Add(System.Net.IPNetwork.Parse("::/0"));
            }
            else if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"{ProxyOptions.SectionName}:{nameof(ProxyOptions.TrustedProxies)} must list IP addresses or CIDR networks (or '*'), not '{entry}'.");
            }
        }

        return (networks, proxies);
    }
}
