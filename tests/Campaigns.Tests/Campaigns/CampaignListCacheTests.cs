using System.Net;
using System.Net.Http.Json;
using Campaigns.Api.Campaigns;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.Campaigns;

/// <summary>GET /api/campaigns is served from a cached payload: every kind of write must show on the very next read.</summary>
public sealed class CampaignListCacheTests : IAsyncLifetime
{
    private readonly CampaignsApiFactory _api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task EveryApiWriteIsVisibleToTheNextRead()
    {
        var admin = _api.CreateAdminClient();
        Assert.Equal(12, (await admin.GetCampaignsAsync()).Count); // primes the cache
        Assert.Empty(await admin.GetCampaignsAsync("?property=usr"));

        var created = await (await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("cache-check") with { Property = "usr" }))
            .Content.ReadFromJsonAsync<CampaignDto>();
        Assert.Contains(await admin.GetCampaignsAsync(), c => c.Key == "cache-check");
        Assert.Single(await admin.GetCampaignsAsync("?property=usr"));

        await admin.PutAsJsonAsync($"/api/campaigns/{created!.Id}", HttpAssertions.NewCampaign("cache-check", "Renamed") with { Property = "usr" });
        Assert.Equal("Renamed", (await admin.GetCampaignsAsync("?property=usr")).Single().Name);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/campaigns/{created.Id}")).StatusCode);
        Assert.DoesNotContain(await admin.GetCampaignsAsync(), c => c.Key == "cache-check");
        Assert.Empty(await admin.GetCampaignsAsync("?property=usr"));
    }

    [Fact]
    public async Task WritesOutsideTheEndpointsAreVisibleToTheNextRead()
    {
        var client = _api.CreateAdminClient();
        var first = (await client.GetCampaignsAsync()).First();

        // Another connection, as the operator CLI, a restore or the top-up use.
        await using (var db = _api.CreateDbContext())
        {
            await db.Campaigns.Where(c => c.Id == first.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Active, false));
        }

        Assert.False((await client.GetCampaignsAsync()).Single(c => c.Id == first.Id).Active);
        Assert.Equal(11, (await client.GetCampaignsAsync("?active=true")).Count);

        var reseed = await client.PostAsync("/api/admin/reseed", null);
        Assert.Equal(HttpStatusCode.OK, reseed.StatusCode);
        Assert.Equal(12, (await client.GetCampaignsAsync("?active=true")).Count);
    }

    [Fact]
    public async Task ReadsRacingWithWritesNeverHideAnAcknowledgedWrite()
    {
        var admin = _api.CreateAdminClient();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var reader = _api.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                await reader.GetCampaignsAsync();
            }
        })).ToArray();

        try
        {
            for (var i = 0; i < 40; i++)
            {
                var response = await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign($"race-{i}"));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                Assert.Contains(await admin.GetCampaignsAsync(), c => c.Key == $"race-{i}");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }
    }

    [Fact]
    public async Task CachedPagesKeepTheirFiltersApart()
    {
        var client = _api.CreateClient();
        var all = await client.GetCampaignsAsync();
        var firstTwo = await client.GetCampaignsAsync("?limit=2");
        var next = await client.GetCampaignsAsync("?limit=2&offset=2");
        var mmm = await client.GetCampaignsAsync("?property=mmm");

        Assert.Equal(all.Take(2).Select(c => c.Id), firstTwo.Select(c => c.Id));
        Assert.Equal(all.Skip(2).Take(2).Select(c => c.Id), next.Select(c => c.Id));
        Assert.Equal(all.Where(c => c.Property == "mmm").Select(c => c.Id), mmm.Select(c => c.Id));
        Assert.Equal(all.Select(c => c.Id), (await client.GetCampaignsAsync("?property=")).Select(c => c.Id));
    }
}
