using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Campaigns.Api.Health;
using Campaigns.Api.Jobs;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Campaigns.Tests.Logging;

public sealed partial class QuietLogsTests
{
    [Fact]
    public async Task ADegradedHealthIsLoggedOnceNotOnEveryProbe()
    {
        await using var api = new CampaignsApiFactory(); // a temp dir is not a mounted volume: Degraded in Development
        var client = api.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            var report = JsonDocument.Parse(await client.GetStringAsync("/health")).RootElement;
            Assert.Equal("Degraded", report.GetProperty("status").GetString());
        }

        var warnings = api.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("not a mounted volume")).ToList();
        var health = Assert.Single(warnings, e => e.Category == typeof(HealthTransitions).FullName);
        Assert.StartsWith("Health Degraded (was not yet reported", Plain(health.Message));
        Assert.Single(warnings, e => e.Category != typeof(HealthTransitions).FullName); // the startup line
        Assert.DoesNotContain(api.Logs.Entries, e => e.Category.Contains("HealthCheck", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHealthChangeIsLoggedAgainWhenACheckMoves()
    {
        await using var api = new CampaignsApiFactory(environment: "Production", settings: new Dictionary<string, string?> { ["Storage:AllowEphemeral"] = "true" });
        var client = api.CreateClient();
        await client.GetAsync("/health");
        await using (var db = api.CreateDbContext())
        {
            await db.Campaigns.Take(2).ExecuteDeleteAsync();
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health")).StatusCode);
        }

        var transitions = api.Logs.Entries.Where(e => e.Category == typeof(HealthTransitions).FullName).ToList();
        Assert.Equal(2, transitions.Count);
        Assert.Equal(LogLevel.Error, transitions[1].Level);
        Assert.Contains("Health Unhealthy (was Degraded", Plain(transitions[1].Message));
        Assert.Contains("Only 10 of 12 expected campaigns are active", transitions[1].Message);
    }

    [Fact]
    public async Task AFirstStartFillsTheNewDatabaseAtInformationAndMissingCampaignsLaterAreAWarning()
    {
        using var dir = new TempDirectory();
        await using var api = new CampaignsApiFactory(dir.Path);
        _ = api.Server;
        Assert.Contains(api.Logs.Entries, e => e.Level == LogLevel.Information && Plain(e.Message).StartsWith("Reseed (startup)") && e.Message.Contains("active 0 -> 12"));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Warning && Plain(e.Message).StartsWith("Reseed"));
        await api.DisposeAsync();

        await using (var db = CampaignsApiFactory.CreateDbContext(api.DatabasePath))
        {
            await db.Campaigns.Take(3).ExecuteDeleteAsync();
        }

        await using var redeployed = api.Redeploy();
        _ = redeployed.Server;
        Assert.Contains(redeployed.Logs.Entries, e => e.Level == LogLevel.Warning && Plain(e.Message).StartsWith("Reseed (startup)") && e.Message.Contains("active 9 -> 12"));
    }

    [Fact]
    public async Task AJobServerThatHasNotAnnouncedItselfRightAfterStartIsStartingThenStopped()
    {
        var state = new StorageState { Ready = true };
        using var dir = new TempDirectory();
        using var storage = new SQLiteStorage(dir.Combine("hangfire.db"), new SQLiteStorageOptions()); // no server writes to it
        var clock = new ShiftedClock();

        var early = await new JobsHealthCheck(storage, state, clock).CheckHealthAsync(new HealthCheckContext());
        clock.Shift = JobsHealthCheck.StartGrace + TimeSpan.FromSeconds(1);
        var late = await new JobsHealthCheck(storage, state, clock).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal((HealthStatus.Healthy, "starting"), (early.Status, early.Data["status"]));
        Assert.Equal((HealthStatus.Degraded, "stopped"), (late.Status, late.Data["status"]));
        Assert.Contains("No job server is running", late.Description);
    }

    [Fact]
    public async Task ARequestItsClientAbandonedIsLogged499AtInformationNotAServerError()
    {
        await using var api = new CampaignsApiFactory();
        var client = api.CreateClient();
        var id = (await client.GetFromJsonAsync<JsonElement>("/api/campaigns?limit=1"))[0].GetProperty("id").GetInt32();

        // A restore's file swap holds new database connections back: the read waits there until its client gives up.
        using (await api.Service<LiveDatabaseGate>().CloseAsync(TimeSpan.FromSeconds(10), CancellationToken.None))
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync($"/api/campaigns/{id}", giveUp.Token));
            await WaitForAsync(() => api.Logs.Entries.Any(e => Plain(e.Message).Contains($"/api/campaigns/{id} responded 499")));
        }

        var line = Assert.Single(api.Logs.Entries, e => Plain(e.Message).Contains($"/api/campaigns/{id} responded"));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ADomainErrorIsLoggedWithTheStatusTheClientGot()
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();
        var campaign = HttpAssertions.NewCampaign("twice");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/campaigns", campaign)).StatusCode);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/campaigns", campaign)).StatusCode);

        await WaitForAsync(() => api.Logs.Entries.Any(e => Plain(e.Message).Contains("POST /api/campaigns responded 409")));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Message.Contains("responded 500") || e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ProductionJsonLinesReadAsPlainSentencesWithIsoTimes()
    {
        using var dir = new TempDirectory();
        await using var api = ApiProcess.Start(dir.Path, new Dictionary<string, string> { ["Storage__AllowEphemeral"] = "true" }, aspnetEnvironment: "Production");
        await api.WaitUntilReadyAsync(TimeSpan.FromMinutes(3)); // a first start on a loaded machine can take a while
        using var client = api.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await client.GetAsync("/health");
        }

        await WaitForAsync(() => api.Output.Contains("HTTP GET /health responded 200", StringComparison.Ordinal));
        var events = api.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        string Message(JsonElement e) => e.GetProperty("@m").GetString()!;

        Assert.Contains(events, e => Message(e).StartsWith("HTTP GET /health responded 200 in ", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => Message(e).Contains('"'));
        var storage = Assert.Single(events, e => Message(e).Contains("checked at"));
        Assert.Matches(IsoTime(), Message(storage));
        Assert.DoesNotMatch(UsDate(), string.Join("\n", events.Select(Message)));
        var reseed = Assert.Single(events, e => Message(e).StartsWith("Reseed (startup)"));
        Assert.False(reseed.TryGetProperty("@l", out _), "a first start's insert is Information");
        Assert.Contains("inserted [trading-tips, behind-the-markets,", Message(reseed));
        Assert.Equal(JsonValueKind.Array, reseed.GetProperty("Inserted").ValueKind); // the property keeps its JSON value
        Assert.Single(events, e => Message(e).StartsWith("Health Degraded", StringComparison.Ordinal));
    }

    /// <summary>CapturedLogs receives Serilog's own rendering, which quotes strings; the console sinks do not.</summary>
    private static string Plain(string message) => message.Replace("\"", "", StringComparison.Ordinal);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !condition(); await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met within 30 s");
        }
    }

    [GeneratedRegex(@"checked at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")]
    private static partial Regex IsoTime();

    [GeneratedRegex(@"\b\d{2}/\d{2}/\d{4}\b")]
    private static partial Regex UsDate();
}
