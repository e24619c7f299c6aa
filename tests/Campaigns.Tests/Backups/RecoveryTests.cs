using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using BackupTriggers = Campaigns.Api.Backups.BackupTrigger;

namespace Campaigns.Tests.Backups;

public sealed class RecoveryTests
{
    [Fact]
    public async Task MissingDatabaseWithBackupsIsRestoredFromTheNewestGoodOneOnStart()
    {
        using var dir = new TempDirectory();
        BackupEntry damaged;
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            var admin = first.CreateAdminClient();
            await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"));
            await first.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
            await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("made-later"));
            damaged = await first.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        }

        // The newest backup is damaged on disk: recovery must fall back to the one before it, not refuse to start.
        var damagedPath = Path.Combine(dir.Path, "backups", damaged.Name);
        var bytes = await File.ReadAllBytesAsync(damagedPath);
        for (var i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++)
        {
            bytes[i] ^= 0xFF; // flipped, not zeroed: the middle of a page can already be zeros
        }

        await File.WriteAllBytesAsync(damagedPath, bytes);

        foreach (var file in Directory.GetFiles(dir.Path, "campaigns.db*"))
        {
            File.Delete(file);
        }

        await using var redeployed = new CampaignsApiFactory(dir.Path);
        var campaigns = await redeployed.CreateClient().GetCampaignsAsync();

        Assert.Contains(campaigns, c => c.Key == "user-made");
        Assert.DoesNotContain(campaigns, c => c.Key == "made-later");
        Assert.Equal(13, campaigns.Count(c => c.Active));
        Assert.True(redeployed.Logs.Contains("cannot be used for recovery", LogLevel.Error));
        var recovery = (await Health(redeployed)).GetProperty("backups").GetProperty("lastRecovery");
        Assert.Equal("missing-database-restored", recovery.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task CorruptDatabaseIsQuarantinedRestoredAndShownByHealth()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            await first.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"));
            await first.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        }

        var database = Path.Combine(dir.Path, "campaigns.db");
        // Every page in the main file first: pages still in the WAL would be read instead of the damaged ones.
        using (var connection = SqliteFile.Open(database, SqliteOpenMode.ReadWrite))
        {
            SqliteFile.Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        Assert.Equal(0, new FileInfo(database + "-wal") is { Exists: true } wal ? wal.Length : 0);
        var length = new FileInfo(database).Length;
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Position = length / 4;
            file.Write(Enumerable.Repeat((byte)0xA5, (int)(length / 2)).ToArray());
        }

        await using var redeployed = new CampaignsApiFactory(dir.Path);
        var campaigns = await redeployed.CreateClient().GetCampaignsAsync();

        Assert.Contains(campaigns, c => c.Key == "user-made");
        var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "quarantine"), "campaigns_*.db"));
        Assert.Equal(length, new FileInfo(quarantined).Length); // moved, not deleted or rewritten
        Assert.True(redeployed.Logs.Contains("is corrupt", LogLevel.Error));
        var recovery = (await Health(redeployed)).GetProperty("backups").GetProperty("lastRecovery");
        Assert.Equal("corrupt-database-quarantined", recovery.GetProperty("kind").GetString());
        Assert.Contains("quarantine", recovery.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // a pre-restore backup: hashed only after the swap
    public async Task StartPublishesABackupWhoseRenameACrashInterrupted(bool sidecarHasSha256)
    {
        using var dir = new TempDirectory();
        string name;
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            name = (await first.Service<BackupService>().CreateAsync(BackupTriggers.Manual)).Name;
            await first.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("made-later"));
        }

        // As a restore leaves it when killed between renaming the new file over the live one and the old file's own rename.
        var backup = Path.Combine(dir.Path, "backups", name);
        var sha256 = SqliteFile.Sha256Of(backup);
        if (!sidecarHasSha256)
        {
            await ForgetSha256Async(backup);
        }

        File.Move(backup, backup + ".tmp");

        await using var redeployed = new CampaignsApiFactory(dir.Path);

        Assert.Equal(sha256, Assert.Single(redeployed.Service<BackupCatalog>().List(), e => e.Name == name).Sha256);
        Assert.True(File.Exists(backup));
        Assert.True(redeployed.Logs.Contains("a crash had interrupted its publication", LogLevel.Warning));
    }

    [Fact]
    public async Task StartHashesAndChecksAPublishedBackupWhoseCheckAKillInterrupted()
    {
        using var dir = new TempDirectory();
        string name;
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            name = (await first.Service<BackupService>().CreateAsync(BackupTriggers.Manual)).Name;
        }

        // As a restore leaves the file it swapped out when killed after publishing it, before its sha256 and check.
        var backup = Path.Combine(dir.Path, "backups", name);
        var sha256 = SqliteFile.Sha256Of(backup);
        await ForgetSha256Async(backup);
        var sidecar = JsonNode.Parse(await File.ReadAllTextAsync(BackupNames.SidecarOf(backup)))!;
        sidecar["verified"] = false;
        await File.WriteAllTextAsync(BackupNames.SidecarOf(backup), sidecar.ToJsonString());

        await using var redeployed = new CampaignsApiFactory(dir.Path);

        var entry = Assert.Single(redeployed.Service<BackupCatalog>().List(), e => e.Name == name);
        Assert.Equal(sha256, entry.Sha256);
        Assert.True(entry.Verified);
        Assert.True(redeployed.Logs.Contains("a stop interrupted its check", LogLevel.Warning));
    }

    /// <summary>The sidecar as a restore writes it for the file it swaps out, before that file is hashed.</summary>
    private static async Task ForgetSha256Async(string backup)
    {
        var sidecar = BackupNames.SidecarOf(backup);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(sidecar))!;
        json["sha256"] = null;
        await File.WriteAllTextAsync(sidecar, json.ToJsonString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StartDropsASecondNameOfTheLiveDatabaseThatACrashLeftBeforeTheSwap(bool sidecarHasSha256)
    {
        using var dir = new TempDirectory();
        string name;
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            name = (await first.Service<BackupService>().CreateAsync(BackupTriggers.Manual)).Name;
        }

        // The pre-restore backup's temporary name still is the live file (here: the same bytes), with its sidecar written.
        var backup = Path.Combine(dir.Path, "backups", name);
        File.Copy(backup, Path.Combine(dir.Path, "campaigns.db"), overwrite: true);
        if (!sidecarHasSha256)
        {
            await ForgetSha256Async(backup);
        }

        File.Move(backup, backup + ".tmp");

        await using var redeployed = new CampaignsApiFactory(dir.Path);

        Assert.DoesNotContain(redeployed.Service<BackupCatalog>().List(), e => e.Name == name);
        Assert.False(File.Exists(backup + ".tmp"));
        Assert.False(File.Exists(backup + ".json"));
        Assert.Equal(12, (await redeployed.CreateClient().GetCampaignsAsync("?active=true")).Count);
    }

    [Fact]
    public async Task UnwritableBackupDirectoryIsLoggedAndTheServiceKeepsServing()
    {
        using var dir = new TempDirectory();
        await SeedFiles.ArrangeDatabaseAsync(dir.Combine("campaigns.db"), SeedFiles.UserCampaign("existing"));
        // Tests run as root, where permission bits do not stop writes: a file where the directory should be does.
        await File.WriteAllTextAsync(dir.Combine("backups"), "not a directory");

        await using var api = new CampaignsApiFactory(dir.Path);
        var admin = api.CreateAdminClient();
        Assert.Contains((await admin.GetCampaignsAsync()), c => c.Key == "existing");
        await api.WaitForStartupBackupAsync(); // it runs after that first answer
        Assert.True(api.Logs.Contains("cannot be created", LogLevel.Error), "the startup backup failure is logged");

        var accepted = await (await admin.PostAsync("/api/admin/backups", null)).Content.ReadFromJsonAsync<JsonElement>();
        var job = await admin.WaitForJobAsync(accepted.GetProperty("statusUrl").GetString()!);

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains(dir.Combine("backups"), job.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/campaigns")).StatusCode);
        var backups = (await Health(api)).GetProperty("backups");
        Assert.Equal("Degraded", backups.GetProperty("status").GetString());
        Assert.False(backups.GetProperty("lastAttempt").GetProperty("succeeded").GetBoolean());
    }

    private static async Task<JsonElement> Health(CampaignsApiFactory api)
    {
        var response = await api.CreateClient().GetAsync("/health");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
