using System.Net;
using System.Net.Http.Headers;
using Campaigns.Tests.Contract;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.Admin;

/// <summary>
/// Over a real socket on loopback, a trusted proxy by default: each test plays several clients by the X-Forwarded-For
/// header a proxy such as Railway's would add.
/// </summary>
public sealed class AdminRateLimitTests
{
    private const string ClientA = "203.0.113.10";
    private const string ClientB = "203.0.113.20";

    [Fact]
    public async Task FailedAdminAuthenticationsAreLimitedPerClientAddressWithA429ProblemAndRetryAfter()
    {
        await using var api = new CampaignsApiFactory();
        using var client = Loopback(api);

        for (var attempt = 1; attempt <= 10; attempt++)
        {
            await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", ClientA, "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        var limited = await SendAsync(client, HttpMethod.Get, "/api/admin/backups", ClientA, "wrong-key-wrong-key");
        var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("failed admin authentications", problem.GetProperty("detail").GetString());
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        // No key at all is a failed attempt too, on any admin route.
        await (await SendAsync(client, HttpMethod.Post, "/api/admin/reseed", ClientA, key: null)).AssertProblemAsync(HttpStatusCode.TooManyRequests);

        // Another address has its own budget.
        await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", ClientB, "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheRightKeyIsNeverSlowedEvenFromAnAddressThatRanOutOfAttempts()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["RateLimits:FailedAdminAuthPerMinute"] = "3" });
        using var client = Loopback(api);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", ClientA, "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        await (await SendAsync(client, HttpMethod.Get, "/api/admin/backups", ClientA, "wrong-key-wrong-key")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
        for (var request = 0; request < 25; request++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, "/api/admin/backups", ClientA, CampaignsApiFactory.AdminKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task PublicReadsAndHealthProbesAreNotLimitedByDefault()
    {
        await using var api = new CampaignsApiFactory();
        using var client = Loopback(api);
        for (var request = 0; request < 60; request++)
        {
            using var list = await SendAsync(client, HttpMethod.Get, "/api/campaigns?active=true", ClientA, key: null);
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using var health = await SendAsync(client, HttpMethod.Get, "/health/live", ClientA, key: null);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task PublicReadsAreLimitedPerAddressWhenASettingAsksButHealthProbesNever()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["RateLimits:PublicRequestsPerMinute"] = "5" });
        using var client = Loopback(api);
        for (var request = 0; request < 5; request++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, "/api/campaigns", ClientA, key: null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var limited = await SendAsync(client, HttpMethod.Get, "/api/campaigns/1", ClientA, key: null);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.Contains("Retry-After"));
        using var health = await SendAsync(client, HttpMethod.Get, "/health/live", ClientA, key: null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var other = await SendAsync(client, HttpMethod.Get, "/api/campaigns", ClientB, key: null);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [InlineData("RateLimits:FailedAdminAuthPerMinute", "0")]
    [InlineData("RateLimits:PublicRequestsPerMinute", "-1")]
    public async Task ABadLimitStopsTheServiceAtStartNamingTheSetting(string setting, string value)
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { [setting] = value });
        var error = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains($"{setting} must be a whole number", error.ToString());
    }

    /// <summary>A loopback client whose responses are checked against the served document, as the factory's are.</summary>
    public static HttpClient Loopback(CampaignsApiFactory api)
    {
        var address = api.StartOnLoopback();
        var client = new HttpClient(new ContractCheckingHandler(() => OpenApiContract.ServedAsync(api.Settings)) { InnerHandler = new HttpClientHandler() }) { BaseAddress = address };
        WaitUntilReady(client);
        return client;
    }

    private static void WaitUntilReady(HttpClient client)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; Thread.Sleep(100))
        {
            using var response = client.GetAsync("/health").GetAwaiter().GetResult();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the service was still starting after 60 s");
        }
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string forwardedFor, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client.SendAsync(request);
    }
}
