using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Health;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campaigns.Tests.Health;

public sealed class CampaignTotalTests
{
    [Fact]
    public async Task HealthReportsTheLastCountOfStoredCampaignsInsteadOfCountingOnEveryProbe()
    {
        await using var api = new CampaignsApiFactory();
        var client = api.CreateClient();
        await client.GetAsync("/health"); // the first probe after ready starts the count
        await api.Service<CampaignTotal>().Counting;

        var counted = await DatabaseReportAsync(client);
        (await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("counted-later"))).EnsureSuccessStatusCode();
        var afterInsert = await DatabaseReportAsync(client);

        Assert.Equal(12, counted.GetProperty("totalCampaigns").GetInt32());
        Assert.True(counted.TryGetProperty("totalCountedAt", out _));
        Assert.Equal(13, afterInsert.GetProperty("activeCampaigns").GetInt32()); // the index search still runs per probe
        Assert.Equal(12, afterInsert.GetProperty("totalCampaigns").GetInt32());
        Assert.Equal(counted.GetProperty("totalCountedAt").GetString(), afterInsert.GetProperty("totalCountedAt").GetString());
    }

    [Fact]
    public async Task ACountOlderThanItsMaxAgeIsTakenAgainInTheBackground()
    {
        await using var api = new CampaignsApiFactory();
        _ = api.CreateClient();
        var clock = new ShiftedClock();
        var total = new CampaignTotal(api.Service<LiveDatabaseConnections>(), clock, NullLogger<CampaignTotal>.Instance);

        var beforeFirstCount = total.Read();
        await total.Counting;
        var first = total.Read();
        await using (var db = api.CreateDbContext())
        {
            db.Campaigns.Add(new Campaign { Key = "stored-later", Name = "Stored later", Property = "usr", Active = false });
            await db.SaveChangesAsync();
        }

        var fresh = total.Read();
        await total.Counting;
        clock.Shift = CampaignTotal.MaxAge + TimeSpan.FromSeconds(1);
        var stale = total.Read(); // answers at once with the old count, and counts again
        await total.Counting;
        var recounted = total.Read();

        Assert.Null(beforeFirstCount);
        Assert.Equal(12, first!.Total);
        Assert.Same(first, fresh);
        Assert.Same(first, stale);
        Assert.Equal(13, recounted!.Total);
        Assert.True(recounted.At > first.At);
    }

    private static async Task<JsonElement> DatabaseReportAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/health")).RootElement.GetProperty("database");
}
