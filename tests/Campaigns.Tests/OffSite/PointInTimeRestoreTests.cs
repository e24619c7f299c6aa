using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;

namespace Campaigns.Tests.OffSite;

public sealed class PointInTimeRestoreTests
{
    [S3Fact]
    public async Task RestoringToAMarkBringsBackExactlyTheWritesAcknowledgedBeforeIt()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var client = api.CreateAdminClient();
        var editedId = await VolumeLossTests.CreateAsync(client, "before-mark");
        await Task.Delay(100);
        var mark = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        await VolumeLossTests.CreateAsync(client, "after-mark");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/campaigns/{editedId}", HttpAssertions.NewCampaign("before-mark", "Edited after the mark"))).StatusCode);

        var job = await RestoreAsync(client, new { source = "offsite", at = mark.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'") });
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var campaigns = await client.GetCampaignsAsync("?limit=100");
        Assert.Equal("before-mark", Assert.Single(campaigns, c => c.Key == "before-mark").Name);
        Assert.DoesNotContain(campaigns, c => c.Key == "after-mark");
        Assert.Equal(12, campaigns.Count(c => c.Active && c.Key != "before-mark"));
        var backups = await client.GetFromJsonAsync<JsonElement>("/api/admin/backups");
        Assert.Contains(backups.EnumerateArray(), b => b.GetProperty("trigger").GetString() == "pre-restore");

        // Without "at": the newest state, which is now the restored one (the restore was followed by a snapshot).
        var newest = await RestoreAsync(client, new { source = "offsite" });
        Assert.Equal("succeeded", newest.GetProperty("state").GetString());
        Assert.DoesNotContain(await client.GetCampaignsAsync("?limit=100"), c => c.Key == "after-mark");
    }

    [S3Fact]
    public async Task AnAtThatIsNotIsoInTheFutureOrBeforeTheOldestPointIsA400NamingAt()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var client = api.CreateAdminClient();
        await client.GetCampaignsAsync();

        foreach (var at in new[] { "yesterday", "2026-12-01 10:00", DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), "2000-01-01T00:00:00Z" })
        {
            var response = await client.PostAsJsonAsync("/api/admin/restore", new { source = "offsite", at });
            var errors = await response.AssertValidationErrorAsync("at");
            Assert.Contains("'at'", errors[0]);
        }

        var withoutOffSite = await client.PostAsJsonAsync("/api/admin/restore", new { source = "canonical", at = "2026-12-01T10:00:00Z" });
        await withoutOffSite.AssertValidationErrorAsync("at");
    }

    internal static async Task<JsonElement> RestoreAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/admin/restore", request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        return await client.WaitForJobAsync(statusUrl, TimeSpan.FromSeconds(90));
    }
}
