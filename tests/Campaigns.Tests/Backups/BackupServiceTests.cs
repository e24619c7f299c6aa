using Campaigns.Api.Backups;
using Campaigns.Api.Restores;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using BackupTriggers = Campaigns.Api.Backups.BackupTrigger;
using RestoreSources = Campaigns.Api.Restores.RestoreSource;

namespace Campaigns.Tests.Backups;

public sealed class BackupServiceTests
{
    [Fact]
    public async Task RotationKeepsTheNewestFivePlusTheLastKnownGood()
    {
        await using var api = new CampaignsApiFactory();
        var backups = api.Service<BackupService>();
        var lastKnownGood = await backups.CreateAsync(BackupTriggers.Manual);

        // A bad state (every campaign paused) backed up again and again, as a crash loop would.
        await using (var db = api.CreateDbContext())
        {
            await db.Campaigns.ExecuteUpdateAsync(s => s.SetProperty(c => c.Active, false));
        }

        var bad = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            bad.Add((await backups.CreateAsync(BackupTriggers.Scheduled)).Name);
        }

        var kept = api.Service<BackupCatalog>().List().Select(e => e.Name).ToList();
        Assert.Equal([.. bad.AsEnumerable().Reverse().Take(5), lastKnownGood.Name], kept);
        var files = Directory.GetFiles(api.BackupsDirectory).Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(kept.SelectMany(n => new[] { n, n + ".json" }).Order().ToList(), files);
        Assert.Contains(api.Logs.Entries, e => e.Message.Contains("Rotated out backup") && e.Message.Contains(bad[0]));
    }

    [Fact]
    public async Task BackupUnderConcurrentWritesIsAConsistentSnapshot()
    {
        await using var api = new CampaignsApiFactory();
        var backups = api.Service<BackupService>();
        using var stop = new CancellationTokenSource();
        var pairsWritten = 0;

        // Each transaction adds two campaigns: a consistent copy always holds an even number of user campaigns.
        var writer = Task.Run(async () =>
        {
            await using var db = api.CreateDbContext();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Campaigns.AddRange(SeedFiles.UserCampaign($"pair-{i}-a"), SeedFiles.UserCampaign($"pair-{i}-b"));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
                db.ChangeTracker.Clear();
                Interlocked.Increment(ref pairsWritten);
            }
        });

        // Backups only once the writer is writing: a small database is backed up faster than a first EF write is made,
        // and five backups taken before it would all hold the same campaigns.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); Volatile.Read(ref pairsWritten) == 0; await Task.Delay(10))
        {
            Assert.True(DateTime.UtcNow < deadline, "the writer never wrote");
        }

        // Each backup after the writer has committed again since the last one: five backups in a row could otherwise all
        // fall inside one slow commit (it failed so once in CI) and prove nothing about writes landing during copies.
        var taken = new List<BackupEntry>();
        while (taken.Count < 5 || Volatile.Read(ref pairsWritten) < 20)
        {
            var committed = Volatile.Read(ref pairsWritten);
            taken.Add(await backups.CreateAsync(BackupTriggers.Manual));
            for (var deadline = DateTime.UtcNow.AddSeconds(30); Volatile.Read(ref pairsWritten) == committed; await Task.Delay(5))
            {
                Assert.True(DateTime.UtcNow < deadline, "the writer stopped writing");
            }
        }

        await stop.CancelAsync();
        await writer;

        Assert.True(taken.Select(t => t.TotalCampaigns).Distinct().Count() > 1, "writes landed between backups");
        foreach (var entry in taken.TakeLast(5))
        {
            using var copy = SqliteFile.Open(Path.Combine(api.BackupsDirectory, entry.Name), SqliteOpenMode.ReadOnly);
            Assert.Equal("ok", SqliteFile.Check(copy));
            var contents = SqliteFile.Inspect(copy)!;
            Assert.Equal(entry.TotalCampaigns, contents.TotalCampaigns);
            Assert.Equal(0, (contents.TotalCampaigns - 12) % 2);
            Assert.Equal(entry.Sha256, SqliteFile.Sha256Of(Path.Combine(api.BackupsDirectory, entry.Name)));
        }
    }

    [Fact]
    public async Task BackupIsASelfContainedCopyOfTheLiveFileHashedAsItIsWritten()
    {
        await using var api = new CampaignsApiFactory();
        await (await api.CreateClient().GetAsync("/api/campaigns")).Content.ReadAsStringAsync(); // the service's connections are open, as in production
        await using (var db = api.CreateDbContext())
        {
            db.Campaigns.Add(SeedFiles.UserCampaign("in-the-wal")); // frames for the checkpoint to move
            await db.SaveChangesAsync();
        }

        using var observer = SqliteFile.Open(api.DatabasePath, SqliteOpenMode.ReadOnly);
        var versionBefore = SqliteFile.Scalar<long>(observer, "PRAGMA data_version;");

        var entry = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);

        var path = Path.Combine(api.BackupsDirectory, entry.Name);
        Assert.Equal(entry.Sha256, SqliteFile.Sha256Of(path));
        var header = new byte[20];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.Equal((1, 1), (header[18], header[19])); // rollback journal: no -wal/-shm needed to open it
        Assert.Equal(versionBefore, SqliteFile.Scalar<long>(observer, "PRAGMA data_version;")); // the API's cached list stays valid
        Assert.Equal([entry.Name, entry.Name + ".json"], Directory.GetFiles(api.BackupsDirectory).Select(f => Path.GetFileName(f)).Order());
        Assert.DoesNotContain(api.Logs.Entries, e => e.Message.Contains("VACUUM INTO"));
        using var copy = SqliteFile.Open(path, SqliteOpenMode.ReadOnly);
        Assert.Equal("ok", SqliteFile.Check(copy));
        Assert.Equal((13, 13), (SqliteFile.Inspect(copy)!.ActiveCampaigns, entry.ActiveCampaigns));
    }

    [Fact]
    public async Task BackupOfADamagedDatabaseFailsAndPublishesNothing()
    {
        using var dir = new TempDirectory();
        var database = dir.Combine("campaigns.db");
        await SeedFiles.ArrangeDatabaseAsync(database, SeedFiles.UserCampaign("existing"));
        SeedFiles.AddBallast(database, megabytes: 2);
        await using var api = new CampaignsApiFactory(dir.Path);
        var backups = api.Service<BackupService>();
        await api.WaitForStartupBackupAsync();
        var catalogBefore = api.Service<BackupCatalog>().List().Select(e => e.Name).ToList(); // the startup backup
        using (var connection = SqliteFile.Open(database, SqliteOpenMode.ReadWrite))
        {
            SqliteFile.Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = file.Length / 2 / 4096 * 4096;
            file.Write(Enumerable.Repeat((byte)0xA5, 4096 * 4).ToArray());
        }

        var failed = await Assert.ThrowsAsync<BackupFailedException>(() => backups.CreateAsync(BackupTriggers.Manual));

        Assert.Contains("quick_check", failed.Message);
        Assert.Equal(catalogBefore, api.Service<BackupCatalog>().List().Select(e => e.Name));
        Assert.Empty(Directory.GetFiles(api.BackupsDirectory, "*.tmp*"));
    }

    [Fact]
    public async Task BackupFallsBackToVacuumIntoWhileAReaderHoldsAnOlderSnapshot()
    {
        await using var api = new CampaignsApiFactory();
        api.CreateClient().Dispose(); // starts the service: the database exists from here on
        using var reader = SqliteFile.Open(api.DatabasePath, SqliteOpenMode.ReadOnly);
        SqliteFile.Execute(reader, "BEGIN; SELECT count(*) FROM campaigns;");
        await using (var db = api.CreateDbContext())
        {
            // Committed after the reader's snapshot: no checkpoint can move these frames into the file while it reads.
            db.Campaigns.Add(SeedFiles.UserCampaign("after-the-reader"));
            await db.SaveChangesAsync();
        }

        var entry = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);

        SqliteFile.Execute(reader, "COMMIT;");
        Assert.Contains(api.Logs.Entries, e => e.Message.Contains("backing up with VACUUM INTO"));
        Assert.Equal(13, entry.ActiveCampaigns);
        Assert.Equal(entry.Sha256, SqliteFile.Sha256Of(Path.Combine(api.BackupsDirectory, entry.Name)));
        using var copy = SqliteFile.Open(Path.Combine(api.BackupsDirectory, entry.Name), SqliteOpenMode.ReadOnly);
        Assert.Equal("ok", SqliteFile.Check(copy));
    }

    [Fact]
    public async Task ChecksumMismatchRefusesTheRestoreAndChangesNothing()
    {
        await using var api = new CampaignsApiFactory();
        var backup = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        await using (var db = api.CreateDbContext())
        {
            db.Campaigns.Add(SeedFiles.UserCampaign("added-after-backup"));
            await db.SaveChangesAsync();
        }

        var path = Path.Combine(api.BackupsDirectory, backup.Name);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var refused = await Assert.ThrowsAsync<BackupVerificationException>(() =>
            api.Service<RestoreService>().RestoreAsync(RestoreSources.Backup, backup.Name));

        Assert.Contains("checksum mismatch", refused.Message);
        Assert.Single(api.Service<BackupCatalog>().List()); // no pre-restore backup either: nothing was started
        await using var after = api.CreateDbContext();
        Assert.True(await after.Campaigns.AnyAsync(c => c.Key == "added-after-backup"));
    }

    [Fact]
    public async Task CleanupRemovesStaleTemporaryFilesAndOldQuarantinedDatabasesOnly()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["Backups:QuarantineDays"] = "7" });
        var kept = await api.Service<BackupService>().CreateAsync(BackupTriggers.Manual);
        var quarantine = Directory.CreateDirectory(Path.Combine(api.DataDirectory, "quarantine")).FullName;
        string File(string directory, string name, TimeSpan age)
        {
            var path = Path.Combine(directory, name);
            System.IO.File.WriteAllText(path, "x");
            System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }

        var staleTemporary = File(api.BackupsDirectory, "campaigns_backup_20200101_000000_000.sqlite.tmp", TimeSpan.FromHours(2));
        var freshTemporary = File(api.BackupsDirectory, "campaigns_backup_20200101_000000_001.sqlite.tmp", TimeSpan.Zero);
        var orphanSidecar = File(api.BackupsDirectory, "campaigns_backup_20200101_000000_002.sqlite.json", TimeSpan.Zero);
        var oldQuarantined = File(quarantine, "campaigns_20200101_000000_000.db", TimeSpan.FromDays(8));
        var recentQuarantined = File(quarantine, "campaigns_20200101_000000_001.db", TimeSpan.FromDays(6));

        var removed = api.Service<BackupCleanup>().Cleanup(atStartup: false).Removed;

        Assert.Equal(new[] { staleTemporary, orphanSidecar, oldQuarantined }.Order(), removed.Order());
        Assert.True(System.IO.File.Exists(freshTemporary), "a backup another process is writing right now is left alone");
        Assert.True(System.IO.File.Exists(recentQuarantined));
        Assert.Single(api.Service<BackupCatalog>().List(), e => e.Name == kept.Name);
    }

    [Theory]
    [InlineData("0 2 * * *", 24 * 60)]
    [InlineData("*/15 * * * *", 15)]
    [InlineData("30 */6 * * 1-5", 6 * 60)]
    public void CronScheduleKnowsItsInterval(string expression, int minutes)
    {
        var schedule = CronSchedule.Parse(expression);
        var monday = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMinutes(minutes), schedule.Interval(monday));
    }

    [Theory]
    [InlineData("Backups:Schedule", "0 2 * *", "Backups:Schedule")]
    [InlineData("Backups:Schedule", "61 * * * *", "Backups:Schedule")]
    [InlineData("Backups:Schedule", "daily", "Backups:Schedule")]
    [InlineData("Backups:Keep", "0", "Keep")]
    [InlineData("Backups:QuarantineDays", "0", "QuarantineDays")]
    public async Task InvalidBackupSettingsFailTheStartNamingTheSetting(string key, string value, string named)
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { [key] = value });
        var failure = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains(named, failure.ToString());
    }
}
