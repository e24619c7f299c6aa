using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.OffSite;

public sealed class LocalRecoveryTests
{
    [Fact]
    public async Task AfterARestoreLosingTheDatabaseBringsBackTheRestoredStateNotThePreRestoreBackup()
    {
        using var data = new TempDirectory();
        using (var api = new CampaignsApiFactory(data.Path))
        {
            using var admin = api.CreateAdminClient();
            await VolumeLossTests.CreateAsync(admin, "in-backup-b");
            var backup = await Start(admin, "/api/admin/backups", null);
            var backupName = backup.GetProperty("result").GetProperty("name").GetString()!;
            await VolumeLossTests.CreateAsync(admin, "rejected-by-admin");

            var restore = await Start(admin, "/api/admin/restore", new { source = "backup", backup = backupName });
            Assert.Equal("succeeded", restore.GetProperty("state").GetString());
            Assert.DoesNotContain(await admin.GetCampaignsAsync("?limit=100"), c => c.Key == "rejected-by-admin");
        }

        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path.Combine(data.Path, "campaigns.db" + suffix));
        }

        using var restarted = new CampaignsApiFactory(data.Path);
        var campaigns = await restarted.CreateAdminClient().GetCampaignsAsync("?limit=100");
        Assert.Contains(campaigns, c => c.Key == "in-backup-b");
        Assert.DoesNotContain(campaigns, c => c.Key == "rejected-by-admin");
    }

    private static async Task<JsonElement> Start(HttpClient admin, string url, object? body)
    {
        var response = await admin.PostAsJsonAsync(url, body);
        var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        return await admin.WaitForJobAsync(statusUrl, TimeSpan.FromSeconds(60));
    }
}
