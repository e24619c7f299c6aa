using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.Restores;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using BackupTriggers = Campaigns.Api.Backups.BackupTrigger;
using RestoreMethods = Campaigns.Api.Restores.RestoreMethod;
using RestoreSources = Campaigns.Api.Restores.RestoreSource;

namespace Campaigns.Tests.Backups;

public sealed class FileSwapRestoreTests
{
    /// <summary>The old file stays locked for the busy timeout after a swap (so late openers fail); short here so reads of it are quick.</summary>
    private static readonly Dictionary<string, string?> ShortBusyTimeout = new() { ["Storage:BusyTimeoutSeconds"] = "1" };

    [Fact]
    public async Task RestoreUnderLoadAnswersEveryRequestAndKeepsEveryAcknowledgedWrite()
    {
        await using var api = new CampaignsApiFactory(settings: ShortBusyTimeout);
        var client = api.CreateAdminClient();
        var backup = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        using var stop = new CancellationTokenSource();
        var acknowledged = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();

        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var response = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign($"during-{i}"));
                (response.StatusCode == HttpStatusCode.Created ? acknowledged : failures).Add($"during-{i}: {(int)response.StatusCode}");
            }
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await client.GetAsync("/api/campaigns") is { IsSuccessStatusCode: false } response)
                {
                    failures.Add($"GET: {(int)response.StatusCode}");
                }
            }
        })).ToArray();

        async Task WritesAcknowledged(int more)
        {
            for (var target = acknowledged.Count + more; acknowledged.Count < target && failures.IsEmpty;)
            {
                await Task.Delay(10);
            }
        }

        await WritesAcknowledged(5);
        var result = await api.Service<RestoreService>().RestoreAsync(RestoreSources.Backup, backup.Name);
        await WritesAcknowledged(5);
        await stop.CancelAsync();
        await Task.WhenAll([writer, .. readers]);

        Assert.Equal(RestoreMethods.FileSwap, result.Method);
        Assert.Empty(failures);
        var preRestore = await api.WaitForVerifiedBackupAsync(result.PreRestoreBackup!);
        var live = Keys(api.DatabasePath);
        var before = Keys(Path.Combine(api.BackupsDirectory, preRestore.Name));
        var keys = acknowledged.Select(a => a.Split(':')[0]).ToList();
        // Every write acknowledged before the swap is in the pre-restore backup, every later one in the live database.
        Assert.All(keys, key => Assert.True(live.Contains(key) != before.Contains(key), $"{key}: live {live.Contains(key)}, pre-restore {before.Contains(key)}"));
        Assert.Contains(keys, before.Contains);
        Assert.Contains(keys, live.Contains);
        Assert.Equal(preRestore.Sha256, SqliteFile.Sha256Of(Path.Combine(api.BackupsDirectory, preRestore.Name)));
    }

    [Fact]
    public async Task RestoringThePreRestoreBackupUndoesTheRestore()
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();
        var backup = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("made-after-the-backup"));
        var restores = api.Service<RestoreService>();

        var restored = await restores.RestoreAsync(RestoreSources.Backup, backup.Name);
        Assert.DoesNotContain(await admin.GetCampaignsAsync(), c => c.Key == "made-after-the-backup");

        var undone = await restores.RestoreAsync(RestoreSources.Backup, restored.PreRestoreBackup);
        Assert.Equal((RestoreMethods.FileSwap, RestoreMethods.FileSwap), (restored.Method, undone.Method));
        Assert.Contains(await admin.GetCampaignsAsync(), c => c.Key == "made-after-the-backup");
        Assert.False(File.Exists(api.DatabasePath + "-journal"));
        // Its pre-restore backup's check (and the sidecar it rewrites) runs in the background: let it finish.
        await api.WaitForVerifiedBackupAsync(undone.PreRestoreBackup!);
        Assert.Empty(Directory.GetFiles(api.BackupsDirectory, "*.tmp*"));
        Assert.NotNull(api.Service<BackupCatalog>().Find(restored.PreRestoreBackup!)!.RestoredAt); // kept by the later check
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABackupWithoutItsSha256YetIsCheckedWholeBeforeItIsRestored(bool damaged)
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();
        var backup = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        // As a stop right after a restore leaves its pre-restore backup: published, unverified, its sha256 not taken yet.
        api.Service<BackupCatalog>().Update(backup.Name, current => current with { Sha256 = null, Verified = false });
        if (damaged)
        {
            var path = api.Service<BackupCatalog>().PathOf(backup.Name);
            var bytes = await File.ReadAllBytesAsync(path);
            Array.Fill(bytes, (byte)0xA5, 4096, 8192); // the tables' b-trees: no checksum left to say so, only the check
            await File.WriteAllBytesAsync(path, bytes);
        }

        await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("made-after-the-backup"));
        var restores = api.Service<RestoreService>();

        if (damaged)
        {
            var refused = await Assert.ThrowsAsync<BackupVerificationException>(() => restores.RestoreAsync(RestoreSources.Backup, backup.Name));
            Assert.DoesNotContain("checksum", refused.Message);
            Assert.Contains(await admin.GetCampaignsAsync(), c => c.Key == "made-after-the-backup"); // nothing changed
        }
        else
        {
            Assert.Equal(RestoreMethods.FileSwap, (await restores.RestoreAsync(RestoreSources.Backup, backup.Name)).Method);
            Assert.DoesNotContain(await admin.GetCampaignsAsync(), c => c.Key == "made-after-the-backup");
        }
    }

    [Fact]
    public async Task RestoreCopiesThroughTheOnlineBackupApiWhileAnotherProcessHoldsTheDatabaseOpen()
    {
        await using var api = new CampaignsApiFactory(settings: ShortBusyTimeout);
        var admin = api.CreateAdminClient();
        var backup = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("made-after-the-backup"));
        // Stands for the CLI in another process: a connection the service's gate knows nothing about.
        using var other = SqliteFile.Open(api.DatabasePath, SqliteOpenMode.ReadOnly);
        Assert.Equal(13, SqliteFile.Scalar<long>(other, "SELECT count(*) FROM campaigns WHERE Active = 1;"));

        var result = await api.Service<RestoreService>().RestoreAsync(RestoreSources.Backup, backup.Name);

        Assert.Equal(RestoreMethods.OnlineBackupApi, result.Method);
        Assert.Contains(api.Logs.Entries, e => e.Message.Contains("Another process keeps"));
        Assert.Equal(12, SqliteFile.Scalar<long>(other, "SELECT count(*) FROM campaigns WHERE Active = 1;")); // it sees the restored data
        Assert.DoesNotContain(await admin.GetCampaignsAsync(), c => c.Key == "made-after-the-backup");
        Assert.Contains("made-after-the-backup", Keys(Path.Combine(api.BackupsDirectory, result.PreRestoreBackup!)));
    }

    private static HashSet<string> Keys(string databasePath)
    {
        using var connection = SqliteFile.Open(databasePath, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Key FROM campaigns;";
        using var reader = command.ExecuteReader();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
