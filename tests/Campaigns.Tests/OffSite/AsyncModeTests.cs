using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

public sealed class AsyncModeTests
{
    [S3Fact]
    public async Task InAsyncModeWritesAreAnsweredAfterTheLocalCommitAndShippedOnceTheStoreAnswers()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings(mode: "async"));
        using var client = api.CreateAdminClient();
        await client.GetCampaignsAsync();
        // The start's own entry ships asynchronously too: once it has, the store holds exactly what the start wrote, and
        // whatever appears next is the write queued while the store was down (as a single object or inside a batch).
        await WaitUntilShippedAsync(client);
        var before = Shipped(s3);
        s3.Stop();

        var created = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("shipped-later", "Shipped later"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("async", health.GetProperty("offSite").GetProperty("mode").GetString());
        Assert.True(health.GetProperty("offSite").TryGetProperty("lagSeconds", out _));

        s3.Start();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); Shipped(s3) <= before; await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the queued entry never reached the store (journal objects before it: {before}; now: {string.Join(" ", s3.Keys())})");
        }

        await WaitUntilShippedAsync(client);
    }

    [S3Fact]
    public async Task AQueueThatBuiltUpShipsAsOneBatchThatRestoresWholeOrToAMomentInsideIt()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        DateTimeOffset mark;
        using (var first = new CampaignsApiFactory(data.Path, s3.Settings(mode: "async")))
        {
            using var client = first.CreateAdminClient();
            await client.GetCampaignsAsync();
            // Counted once the start's own entry has shipped: one still in flight would land as a single after the count.
            await WaitUntilShippedAsync(client);
            var before = SyncWriteTests.JournalBatchKeys(s3).Count;
            var singles = SyncWriteTests.JournalKeys(s3).Count;
            s3.Stop();
            for (var i = 0; i < 3; i++)
            {
                await VolumeLossTests.CreateAsync(client, $"queued-before-{i}");
            }

            await Task.Delay(100);
            mark = DateTimeOffset.UtcNow;
            await Task.Delay(100);
            for (var i = 0; i < 3; i++)
            {
                await VolumeLossTests.CreateAsync(client, $"queued-after-{i}");
            }

            s3.Start();
            for (var deadline = DateTime.UtcNow.AddSeconds(60); SyncWriteTests.JournalBatchKeys(s3).Count <= before; await Task.Delay(200))
            {
                Assert.True(DateTime.UtcNow < deadline, "the queue never reached the store");
            }

            await WaitUntilShippedAsync(client);
            Assert.Equal(before + 1, SyncWriteTests.JournalBatchKeys(s3).Count); // six queued commits, one object
            Assert.Equal(singles, SyncWriteTests.JournalKeys(s3).Count);
        }

        VolumeLossTests.WipeVolume(data.Path);
        using var second = new CampaignsApiFactory(data.Path, s3.Settings(mode: "async"));
        using var after = second.CreateAdminClient();
        var restored = await after.GetCampaignsAsync("?limit=100");
        Assert.Equal(6, restored.Count(c => c.Key.StartsWith("queued-", StringComparison.Ordinal)));

        var job = await PointInTimeRestoreTests.RestoreAsync(after, new { source = "offsite", at = mark.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'") });
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var atMark = await after.GetCampaignsAsync("?limit=100");
        Assert.Equal(3, atMark.Count(c => c.Key.StartsWith("queued-before-", StringComparison.Ordinal)));
        Assert.DoesNotContain(atMark, c => c.Key.StartsWith("queued-after-", StringComparison.Ordinal));
    }

    private static int Shipped(TestS3 s3) => SyncWriteTests.JournalKeys(s3).Count + SyncWriteTests.JournalBatchKeys(s3).Count;

    private static async Task WaitUntilShippedAsync(HttpClient client)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
        {
            var block = (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("offSite");
            if (block.GetProperty("pending").GetInt32() == 0 && block.GetProperty("status").GetString() == "Healthy")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"still behind: {block}");
        }
    }
}
