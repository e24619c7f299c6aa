using Campaigns.Seed.Commands;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.OffSite;

/// <summary>
/// With off-site copies on, every "restore the newest" brings back the newest acknowledged state, not the newest local
/// file: here the newest local backup lacks a campaign created after it, which only the off-site copies hold.
/// </summary>
public sealed class NewestStateWinsTests
{
    [S3Fact]
    public async Task LatestBackupRestoresTheOffSiteStateWhenTheNewestLocalBackupIsOlder()
    {
        using var s3 = new TestS3();
        using var api = new CampaignsApiFactory(settings: s3.Settings());
        using var admin = api.CreateAdminClient();
        await ArrangeBackupThenLaterWriteAsync(admin);

        var restore = await admin.WaitForJobAsync(await admin.StartJobAsync("/api/admin/restore", new { source = "latest-backup" }), TimeSpan.FromSeconds(90));

        Assert.True(restore.GetProperty("state").GetString() == "succeeded", restore.ToString());
        Assert.Equal("offsite", restore.GetProperty("result").GetProperty("source").GetString());
        var campaigns = await admin.GetCampaignsAsync("?limit=100");
        Assert.Contains(campaigns, c => c.Key == "in-the-backup");
        Assert.Contains(campaigns, c => c.Key == "after-the-backup");
    }

    [S3Fact]
    public async Task ACorruptDatabaseComesBackAtStartWithTheOffSiteStateNotTheOlderLocalBackup()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var api = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            await ArrangeBackupThenLaterWriteAsync(api.CreateAdminClient());
        }

        Corrupt(Path.Combine(data.Path, "campaigns.db"));
        using var restarted = new CampaignsApiFactory(data.Path, s3.Settings());
        var campaigns = await restarted.CreateClient().GetCampaignsAsync("?limit=100");

        Assert.Contains(campaigns, c => c.Key == "in-the-backup");
        Assert.Contains(campaigns, c => c.Key == "after-the-backup");
        Assert.True(restarted.Logs.Contains("newer acknowledged state than any local backup"), "the start says why it used the off-site copies");
    }

    [S3Fact]
    public async Task TheClisRestoreLatestBringsBackTheOffSiteStateWhenTheNewestLocalBackupIsOlder()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var api = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            await ArrangeBackupThenLaterWriteAsync(api.CreateAdminClient());
        }

        var restored = await OffSiteCliTests.RunAsync(s3, "restore", "latest", "--data-dir", data.Path);

        Assert.True(restored.Exit == ExitCodes.Ok, restored.Output);
        await using var db = CampaignsApiFactory.CreateDbContext(Path.Combine(data.Path, "campaigns.db"));
        Assert.Contains(db.Campaigns, c => c.Key == "after-the-backup");
        Assert.Contains(db.Campaigns, c => c.Key == "in-the-backup");
    }

    /// <summary>A campaign, a manual backup holding it, then a campaign only the off-site copies hold.</summary>
    private static async Task ArrangeBackupThenLaterWriteAsync(HttpClient admin)
    {
        await VolumeLossTests.CreateAsync(admin, "in-the-backup");
        var backup = await admin.WaitForJobAsync(await admin.StartJobAsync("/api/admin/backups", null), TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", backup.GetProperty("state").GetString());
        await Task.Delay(50);
        await VolumeLossTests.CreateAsync(admin, "after-the-backup");
    }

    private static void Corrupt(string database)
    {
        SqliteConnection.ClearAllPools();
        File.Delete(database + "-wal");
        File.Delete(database + "-shm");
        var bytes = File.ReadAllBytes(database);
        Array.Fill(bytes, (byte)0x5A, 0, Math.Min(bytes.Length, 4096));
        File.WriteAllBytes(database, bytes);
    }
}
