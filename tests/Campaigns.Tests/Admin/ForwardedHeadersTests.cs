using System.Net;
using System.Text.Json.Nodes;
using Campaigns.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using static Campaigns.Tests.Admin.AdminRateLimitTests;

namespace Campaigns.Tests.Admin;

/// <summary>Which client address the service believes: the rate limits are only as good as that.</summary>
public sealed class ForwardedHeadersTests
{
    private static readonly Dictionary<string, string?> ThreeAttempts = new() { ["RateLimits:FailedAdminAuthPerMinute"] = "3" };

    [Fact]
    public async Task AnUntrustedPeerCannotPickItsAddressWithXForwardedFor()
    {
        // Loopback is no longer a trusted proxy: its X-Forwarded-For is ignored, so every "client" below is 127.0.0.1.
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?>(ThreeAttempts) { ["ForwardedHeaders:TrustedProxies"] = "10.9.9.9" });
        using var client = Loopback(api);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", $"198.51.100.{attempt}", "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", "198.51.100.99", "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task OnlyTheAddressTheTrustedProxySawCountsSoPrependedAddressesBuyNoNewAttempts()
    {
        await using var api = new CampaignsApiFactory(settings: ThreeAttempts);
        using var client = Loopback(api);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", $"192.0.2.{attempt}, 203.0.113.10", "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", "192.0.2.200, 203.0.113.10", "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
        await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", "203.0.113.11", "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task BehindAnHttpsProxyTheDocumentNamesTheHttpsAddress()
    {
        await using var api = new CampaignsApiFactory();
        using var client = Loopback(api);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.10");
        using var response = await client.SendAsync(request);

        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var server = document["servers"]![0]!["url"]!.GetValue<string>();
        Assert.StartsWith("https://127.0.0.1:", server);
        Assert.False(server.EndsWith('/'), server);
    }

    [Fact]
    public async Task OnRailwayEveryProxyIsTrustedForTheLastHopOnly()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["RAILWAY_ENVIRONMENT_ID"] = "test-environment" });
        var options = api.Service<IOptions<ForwardedHeadersOptions>>().Value;
        Assert.Contains(options.KnownIPNetworks, n => n.ToString() == "0.0.0.0/0");
        Assert.Equal(1, options.ForwardLimit);
        Assert.False(options.ForwardedHeaders.HasFlag(Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost));
    }

    [Fact]
    public async Task ABadTrustedProxiesSettingStopsTheServiceNamingIt()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["ForwardedHeaders:TrustedProxies"] = "10.0.0.0/8, railway-proxy" });
        var error = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains("ForwardedHeaders:TrustedProxies must list IP addresses or CIDR networks (or '*'), not 'railway-proxy'", error.ToString());
    }
}
