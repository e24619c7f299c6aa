using System.Net;
using System.Net.Http.Json;
using Campaigns.Api.OffSite;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

/// <summary>
/// Sync mode stores each transaction alone and async mode each shipment; both compact those objects into batches so a
/// restore reads a few objects, not one per write. A compaction pass takes whatever is stored once the oldest of it is a
/// second old, so it can fall between any two writes; an object it leaves alone waits for the next one to join it, and
/// the last of a burst may stay single for good (a batch of one would save a restore nothing).
/// </summary>
public sealed class JournalCompactionTests
{
    [S3Fact]
    public Task InSyncModeStoredEntriesAreCompactedIntoABatchThatAloneBringsThemBackOnAnEmptyVolume() => CompactedBatchAloneRestoresAsync("sync");

    [S3Fact]
    public Task InAsyncModeShipmentsAreCompactedIntoABatchThatAloneBringsThemBackOnAnEmptyVolume() => CompactedBatchAloneRestoresAsync("async");

    private static async Task CompactedBatchAloneRestoresAsync(string mode)
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var first = new CampaignsApiFactory(data.Path, s3.Settings(mode)))
        {
            using var client = first.CreateAdminClient();
            await client.GetCampaignsAsync();
            var before = Shipped(s3).ToHashSet();
            async Task UntilShipped(int count) // async mode: each write in an object of its own, so there are several to compact
            {
                for (var deadline = DateTime.UtcNow.AddSeconds(60); mode == "async" && Shipped(s3).Count(k => !before.Contains(k)) < count; await Task.Delay(50))
                {
                    Assert.True(DateTime.UtcNow < deadline, "the async shipment never reached the store");
                }
            }

            var edited = await VolumeLossTests.CreateAsync(client, "compacted-edited");
            await UntilShipped(1);
            await VolumeLossTests.CreateAsync(client, "compacted-kept");
            await UntilShipped(2);
            var deleted = await VolumeLossTests.CreateAsync(client, "compacted-deleted");
            await UntilShipped(3);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/campaigns/{edited}", HttpAssertions.NewCampaign("compacted-edited", "Edited"))).StatusCode);
            await UntilShipped(4);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/campaigns/{deleted}")).StatusCode);
            await UntilShipped(5);
            // A pass that took the first four leaves the delete alone: this write joins it, and may itself stay single.
            await VolumeLossTests.CreateAsync(client, "compacted-last");
            if (mode == "sync")
            {
                Assert.Equal(6, Shipped(s3).Count(k => !before.Contains(k))); // each write stored alone before it was answered
            }

            for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
            {
                var written = Shipped(s3).Where(k => !before.Contains(k)).Order(StringComparer.Ordinal).ToList(); // keys sort by commit time
                var uncovered = written.Except(Covered(s3)).ToList();
                if (written.Count >= 6 && uncovered.All(k => k == written[^1]))
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"not compacted: {string.Join(", ", uncovered)} of {written.Count} written; compacted {string.Join(", ", SyncWriteTests.JournalCompactedKeys(s3))}");
            }
        }

        // Only the compacted batches hold the first five writes now: the restore must read them. What no batch covers
        // (at most the last write) stays, as it does in the store: the restore reads it as itself.
        var covered = Covered(s3);
        foreach (var key in Shipped(s3).Where(covered.Contains))
        {
            s3.Delete(key);
        }

        VolumeLossTests.WipeVolume(data.Path);
        using var second = new CampaignsApiFactory(data.Path, s3.Settings(mode));
        using var after = second.CreateAdminClient();
        var campaigns = await after.GetCampaignsAsync("?limit=100");
        Assert.Equal("Edited", Assert.Single(campaigns, c => c.Key == "compacted-edited").Name);
        Assert.Single(campaigns, c => c.Key == "compacted-kept");
        Assert.DoesNotContain(campaigns, c => c.Key == "compacted-deleted");
        Assert.Single(campaigns, c => c.Key == "compacted-last");
    }

    /// <summary>What the journal stored first: single entries and async shipments, not the compacted batches.</summary>
    private static List<string> Shipped(TestS3 s3) => [.. SyncWriteTests.JournalKeys(s3), .. SyncWriteTests.JournalBatchKeys(s3)];

    private static HashSet<string> Covered(TestS3 s3)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in SyncWriteTests.JournalCompactedKeys(s3))
        {
            try
            {
                covered.UnionWith(OffSiteRows.DecodeJournal(s3.Read(key), key).Covers);
            }
            catch (Exception ex) when (ex is OffSiteStoreException or IOException)
            {
                // still being written by the server: look again next time
            }
        }

        return covered;
    }
}
