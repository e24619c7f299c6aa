using System.Net;
using System.Net.Http.Json;
using Campaigns.Api.OffSite;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

/// <summary>Sync mode stores each transaction alone, then compacts them into batches so a restore reads a few objects, not one per write.</summary>
public sealed class JournalCompactionTests
{
    [S3Fact]
    public async Task StoredEntriesAreCompactedIntoABatchThatAloneBringsThemBackOnAnEmptyVolume()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var first = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            using var client = first.CreateAdminClient();
            await client.GetCampaignsAsync();
            var before = SyncWriteTests.JournalKeys(s3).ToHashSet();
            var edited = await VolumeLossTests.CreateAsync(client, "compacted-edited");
            await VolumeLossTests.CreateAsync(client, "compacted-kept");
            var deleted = await VolumeLossTests.CreateAsync(client, "compacted-deleted");
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/campaigns/{edited}", HttpAssertions.NewCampaign("compacted-edited", "Edited"))).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/campaigns/{deleted}")).StatusCode);
            var written = SyncWriteTests.JournalKeys(s3).Where(k => !before.Contains(k)).ToList();
            Assert.Equal(5, written.Count); // each write stored alone before it was answered

            for (var deadline = DateTime.UtcNow.AddSeconds(60); !written.All(Covered(s3).Contains); await Task.Delay(200))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the five entries were not compacted: batches {string.Join(", ", SyncWriteTests.JournalBatchKeys(s3))}");
            }
        }

        // Only the batch holds those writes now: the restore must read it, and it alone.
        foreach (var key in SyncWriteTests.JournalKeys(s3))
        {
            s3.Delete(key);
        }

        VolumeLossTests.WipeVolume(data.Path);
        using var second = new CampaignsApiFactory(data.Path, s3.Settings());
        using var after = second.CreateAdminClient();
        var campaigns = await after.GetCampaignsAsync("?limit=100");
        Assert.Equal("Edited", Assert.Single(campaigns, c => c.Key == "compacted-edited").Name);
        Assert.Single(campaigns, c => c.Key == "compacted-kept");
        Assert.DoesNotContain(campaigns, c => c.Key == "compacted-deleted");
    }

    private static HashSet<string> Covered(TestS3 s3)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in SyncWriteTests.JournalBatchKeys(s3))
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
