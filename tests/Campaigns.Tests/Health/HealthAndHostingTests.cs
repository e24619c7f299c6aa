using System.Net;
using System.Text.Json;
using Campaigns.Api.Infrastructure;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Campaigns.Tests.Health;

public sealed class HealthAndHostingTests
{
    [Fact]
    public async Task HealthIsUnhealthyWith503WhenTopUpCannotReachExpectedCount()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["Seeding:ExpectedActive"] = "20" });

        var response = await api.CreateClient().GetAsync("/health");
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        Assert.Contains(report.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("Only 12 of 20"));
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task RequestsGet503UntilTheStartupSequenceHasFinished()
    {
        await using var api = new CampaignsApiFactory();
        var client = api.CreateClient();
        var state = api.Service<StorageState>();
        state.Ready = false; // as while the startup sequence runs: the server listens concurrently with it

        var early = await client.GetAsync("/api/campaigns");
        var problem = await early.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        var health = await client.GetAsync("/health");
        var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("Starting", problem.GetProperty("title").GetString());
        Assert.Equal("1", early.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains(report.GetProperty("reasons").EnumerateArray(), r => r.GetString() == "Startup has not finished.");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Error); // expected while starting, not errors

        state.Ready = true;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/campaigns")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task HealthProbesAnswerReadsOnlyAndAnyOtherMethodGets405WithTheMethodsAllowed()
    {
        await using var api = new CampaignsApiFactory();
        var client = api.CreateClient();

        foreach (var path in new[] { "/health", "/health/live", "/Health/" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path))).StatusCode);
            var post = await client.PostAsync(path, content: null);
            await post.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
            Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
        }

        await (await client.GetAsync("/health/other")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryCheckInTheHealthReportSaysHowLongItTook()
    {
        await using var api = new CampaignsApiFactory();

        var report = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/health")).RootElement;
        var checks = report.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).ToList();

        Assert.Equal(["backups", "database", "jobs", "offSite", "seed", "storage"], checks.Select(c => c.Name).Order());
        Assert.All(checks, c => Assert.True(c.Value.GetProperty("durationMs").GetDouble() >= 0, c.Name));
    }

    [Fact]
    public async Task EveryRequestIsLoggedWithMethodPathAndStatus()
    {
        await using var api = new CampaignsApiFactory();

        await api.CreateClient().GetAsync("/api/campaigns/424242");

        Assert.True(api.Logs.Entries.Any(e => e.Message.Contains("/api/campaigns/424242") && e.Message.Contains("responded 404")),
            string.Join("\n", api.Logs.Entries.Select(e => e.Message)));
    }

    [Fact]
    public void PortVariableIsUsedWhenNoUrlsAreGiven()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["PORT"] = "5123";

        builder.UsePlatformPort();

        Assert.Equal("http://0.0.0.0:5123", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void ExplicitUrlsWinOverPortVariable()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:6000"]);
        builder.Configuration["PORT"] = "5123";

        builder.UsePlatformPort();

        Assert.Equal("http://127.0.0.1:6000", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void InvalidPortFailsFastNamingTheVariable()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["PORT"] = "eighty";

        var error = Assert.Throws<InvalidSettingException>(() => builder.UsePlatformPort());
        Assert.Contains("PORT", error.Message);
    }
}
