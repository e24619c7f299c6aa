using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Campaigns;
using Campaigns.Api.OffSite;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.OffSite;

public sealed class SyncWriteTests
{
    [S3Fact]
    public async Task EveryKindOfWriteIsInTheJournalBeforeItIsAnswered()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var client = api.CreateAdminClient();
        await client.GetCampaignsAsync();
        var before = JournalKeys(s3).Count;

        var created = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("journaled", "Journaled"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<CampaignDto>())!.Id;
        Assert.Equal(before + 1, JournalKeys(s3).Count);

        var updated = await client.PutAsJsonAsync($"/api/campaigns/{id}", HttpAssertions.NewCampaign("journaled", "Journaled again"));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(before + 2, JournalKeys(s3).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/campaigns/{id}")).StatusCode); // ExecuteDelete
        Assert.Equal(before + 3, JournalKeys(s3).Count);
    }

    [S3Fact]
    public async Task SyncModeKeepsEnoughPoolThreadsThatCommitsWaitingForTheStoreDoNotStarveItsAnswers()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var client = api.CreateAdminClient();
        await VolumeLossTests.CreateAsync(client, "pool-threads");
        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= OffSiteJournal.SyncMinThreads, $"the pool keeps {workers} threads ready");
    }

    [S3Fact]
    public async Task WithTheStoreDownWritesAreRefusedNothingIsKeptAndReadsGoOn()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings(writeTimeoutSeconds: 2));
        using var client = api.CreateAdminClient();
        var existing = await client.GetCampaignsAsync();
        s3.Stop();

        var refused = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("not-kept", "Not kept"));
        var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains($"127.0.0.1:{s3.Port}/{TestS3.Bucket}", problem.GetProperty("detail").GetString());

        var deleteRefused = await client.DeleteAsync($"/api/campaigns/{existing[0].Id}");
        await deleteRefused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);

        var reads = await client.GetCampaignsAsync();
        Assert.Equal(existing.Select(c => c.Id), reads.Select(c => c.Id));
        await using (var db = api.CreateDbContext())
        {
            Assert.False(await db.Campaigns.AnyAsync(c => c.Key == "not-kept"));
            Assert.True(await db.Campaigns.AnyAsync(c => c.Id == existing[0].Id));
        }

        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        var offSite = health.GetProperty("offSite");
        Assert.Equal("Degraded", offSite.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{s3.Port}", offSite.GetProperty("description").GetString());
        Assert.DoesNotContain(TestS3.Key, health.ToString());

        s3.Start();
        var accepted = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("kept", "Kept"));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    /// <summary>The journal's single entries (one per transaction); batches shipped by async mode or compacted later are not counted.</summary>
    internal static List<string> JournalKeys(TestS3 s3) =>
        s3.Keys().Where(k => k.Contains("/journal/", StringComparison.Ordinal) && !OffSiteLayout.IsJournalBatch(k) && !OffSiteLayout.IsJournalCompacted(k)).ToList();

    /// <summary>Async mode's shipments of several entries.</summary>
    internal static List<string> JournalBatchKeys(TestS3 s3) => s3.Keys().Where(OffSiteLayout.IsJournalBatch).ToList();

    /// <summary>Batches that repeat journal objects already stored.</summary>
    internal static List<string> JournalCompactedKeys(TestS3 s3) => s3.Keys().Where(OffSiteLayout.IsJournalCompacted).ToList();
}
