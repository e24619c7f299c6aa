using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.OffSite;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

public sealed class LineageAndRetentionTests
{
    [S3Fact]
    public async Task AFreshStartKeepsTheEarlierLineageRestorableEvenAfterRetention()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var first = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            using var client = first.CreateAdminClient();
            await VolumeLossTests.CreateAsync(client, "first-lineage");
        }

        var firstLineageKeys = s3.Keys().Where(k => !k.StartsWith("campaigns/lineages/", StringComparison.Ordinal)).ToList();
        await Task.Delay(100);
        var betweenLineages = DateTimeOffset.UtcNow;
        VolumeLossTests.WipeVolume(data.Path);
        s3.Stop();

        // The operator knowingly allows an empty start while the store is away: a new lineage, the canonical campaigns.
        var settings = s3.Settings();
        settings["OffSite:AllowEmptyStart"] = "true";
        using var second = new CampaignsApiFactory(data.Path, settings);
        using var admin = second.CreateAdminClient();
        Assert.DoesNotContain(await admin.GetCampaignsAsync("?limit=100"), c => c.Key == "first-lineage");
        s3.Start();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); s3.Keys().Count(k => k.StartsWith("campaigns/lineages/", StringComparison.Ordinal)) < 2; await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "the second lineage never reached the store");
        }

        await second.Service<OffSiteRetention>().ApplyAsync(CancellationToken.None);
        Assert.All(firstLineageKeys, key => Assert.Contains(key, s3.Keys()));

        var restore = await admin.PostAsJsonAsync("/api/admin/restore", new { source = "offsite", at = betweenLineages.ToString("O") });
        Assert.True(restore.StatusCode == HttpStatusCode.Accepted, await restore.Content.ReadAsStringAsync());
        var job = await admin.WaitForJobAsync((await restore.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!, TimeSpan.FromSeconds(90));
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        Assert.Contains(await admin.GetCampaignsAsync("?limit=100"), c => c.Key == "first-lineage");
    }

    [Fact]
    public void RetentionKeepsEveryPointForADayThenDailiesWeekliesMonthliesAndEachLineagesNewest()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var old = Lineage("20260101T000000000Z-aaaaaa", [now.AddDays(-200), now.AddDays(-199)], [now.AddDays(-199.5)]);
        var hourly = Enumerable.Range(0, 24 * 120).Select(h => now.AddHours(-h)).OrderBy(t => t).ToList();
        var journal = Enumerable.Range(0, 24 * 10).Select(h => now.AddHours(-h).AddMinutes(-30)).OrderBy(t => t).ToList();
        var current = Lineage("20260801T000000000Z-bbbbbb", hourly, journal);

        var doomed = OffSiteRetention.Doomed([old, current], now, new OffSiteRetentionOptions()).ToHashSet();
        var kept = current.Snapshots.Where(s => !doomed.Contains(s.Key)).Select(s => s.At).ToList();

        Assert.DoesNotContain(old.Snapshots[^1].Key, doomed); // an earlier lineage's newest snapshot stays, however old
        Assert.Contains(old.Snapshots[0].Key, doomed);
        Assert.Equal(hourly.Count(t => t >= now.AddHours(-24)), kept.Count(t => t >= now.AddHours(-24))); // every point for 24 h
        Assert.All(Enumerable.Range(0, 7), d => Assert.Contains(kept, t => t.Date == now.AddDays(-d).Date)); // a daily for each of 7 days
        Assert.Single(kept, t => t.Date == now.AddDays(-3).Date);
        Assert.Contains(kept, t => t < now.AddDays(-60) && t >= now.AddMonths(-3)); // a monthly
        Assert.DoesNotContain(kept, t => t < now.AddMonths(-3).AddDays(-1));
        Assert.True(kept.Count < 24 + 7 + 4 + 4 + 2, $"{kept.Count} snapshots kept");

        // The journal goes behind the snapshot a restore to 24 h ago starts from, and not a point later.
        var floor = current.Snapshots.Where(s => !doomed.Contains(s.Key) && s.At <= now.AddHours(-24)).Max(s => s.At);
        Assert.All(current.Journal.Where(j => j.At >= floor), j => Assert.DoesNotContain(j.Key, doomed));
        Assert.Contains(current.Journal, j => doomed.Contains(j.Key));
    }

    private static LineageHistory Lineage(string id, IEnumerable<DateTimeOffset> snapshots, IEnumerable<DateTimeOffset> journal)
    {
        var layout = new OffSiteLayout("campaigns/");
        return new LineageHistory(id, OffSiteLayout.StartOf(id),
            [.. snapshots.Select(t => new OffSitePoint(id, OffSitePointKind.Snapshot, t.UtcTicks, layout.SnapshotKey(id, t.UtcTicks), 100))],
            [.. journal.Select(t => new OffSitePoint(id, OffSitePointKind.Journal, t.UtcTicks, layout.JournalKey(id, t.UtcTicks), 10))]);
    }
}
