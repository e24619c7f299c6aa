using Campaigns.Api.Backups;
using Campaigns.Api.OffSite;
using Campaigns.Api.Seeding;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Restores;

/// <summary>
/// The startup half of backups, run after the volume check and before migrations: bring back what was lost. A missing
/// database comes back from the newest good backup; a corrupt one is moved aside (never deleted) and replaced by that
/// backup. Without one, a new database starts from the seed template, or empty for the migrations and the canonical
/// top-up to fill. Saving what is there is the startup backup's job (the startup sequence's); this only says whether
/// there is anything to save.
/// </summary>
public sealed class DatabaseRecovery(
    DataDirectory dataDirectory,
    DatabaseTarget target,
    BackupCleanup cleanup,
    BackupCatalog catalog,
    CanonicalSeedSource seed,
    SeedTemplate template,
    LiveDatabaseContents liveContents,
    IServiceProvider services,
    OffSiteNewest offSiteNewest,
    RecoveryLog recoveries,
    IServiceScopeFactory scopes,
    LiveDatabaseSoundness soundness,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<DatabaseRecovery> logger)
{
    // Resolved only when something is restored: its graph (every kind of restore, the snapshot reader and the request
    // validator it brings, which compiles its rules) is CPU on a start's path to ready, and a redeploy restores nothing
    // (docs/benchmarks.md, issue 12).
    private RestoreService Restores => services.GetRequiredService<RestoreService>();

    /// <returns>True when the database left in place holds data from before this start, which the startup backup
    /// saves; false when it is new, or just came back from a backup.</returns>
    public async Task<bool> RecoverAsync(CancellationToken cancellationToken = default)
    {
        cleanup.Cleanup(atStartup: true);
        if (target.Provider == DatabaseProvider.PostgreSql)
        {
            // Nothing on local disk to lose or repair: the server holds the data (and its own backups). A brand-new
            // database has nothing worth saving yet.
            return await SchemaExistsAsync(cancellationToken) && (await liveContents.ReadAsync(cancellationToken)).HoldsData;
        }

        var database = dataDirectory.DatabasePath;
        if (!File.Exists(database))
        {
            if (File.Exists(database + "-wal") || File.Exists(database + "-shm"))
            {
                // A journal without its database must not be replayed into a new one.
                logger.LogWarning("Moved the leftover journal of the missing database {DatabasePath} to {QuarantinePath}", database, Quarantine());
            }

            if (catalog.LastKnownGood(seed.ExpectedActive()) is not null)
            {
                logger.LogError("Database {DatabasePath} is missing but backups exist; restoring the newest good backup", database);
                await RestoreNewestGoodAsync(RecoveryKind.MissingDatabase, cancellationToken);
            }

            StartFromTemplateIfStillMissing();
            // A backup that passed its checks, or a new file.
            soundness.Passed(time.GetUtcNow());
            return false;
        }

        if (CheckLiveDatabase() is not { } problem)
        {
            return (await liveContents.ReadAsync(cancellationToken)).HoldsData;
        }

        var quarantined = Quarantine();
        logger.LogError("Database {DatabasePath} is corrupt ({Problem}); moved to {QuarantinePath}; recovering from the newest good backup",
            database, problem, quarantined);
        // Recorded here rather than by the restore: only this line knows where the corrupt file went.
        if (await RestoreNewestGoodAsync(recoveryKind: null, cancellationToken) is { } replacement)
        {
            recoveries.Record(RecoveryKind.Quarantined,
                $"The database was corrupt ({problem}); it was moved to {quarantined} and backup {replacement} was restored.");
        }
        else
        {
            StartFromTemplateIfStillMissing();
            recoveries.Record(RecoveryKind.Quarantined,
                $"The database was corrupt ({problem}); it was moved to {quarantined} and a new database was started from the canonical campaigns.");
        }

        soundness.Passed(time.GetUtcNow());
        return false;
    }

    /// <summary>No backup brought the database back: a new one starts from the seed template when there is a usable one,
    /// else the start creates an empty file that the migrations and the top-up fill.</summary>
    private void StartFromTemplateIfStillMissing()
    {
        if (!File.Exists(dataDirectory.DatabasePath))
        {
            template.TryPlace(dataDirectory.DatabasePath);
        }
    }

    /// <summary>
    /// Restores the newest good backup that passes verification, falling back to older ones: a damaged backup must not
    /// keep the service from starting. With off-site copies on, their state comes first when it is newer than every local
    /// backup. The name of the backup restored, or null when none could be (the canonical top-up then fills a new database).
    /// </summary>
    private async Task<string?> RestoreNewestGoodAsync(RecoveryKind? recoveryKind, CancellationToken cancellationToken)
    {
        var good = catalog.Good(seed.ExpectedActive());
        if (await RestoreOffSiteIfNewerAsync(good.FirstOrDefault()?.StateAt, recoveryKind, cancellationToken) is { } fromOffSite)
        {
            return fromOffSite;
        }

        foreach (var candidate in good)
        {
            try
            {
                await Restores.RestoreAsync(RestoreSource.Backup, candidate.Name, recoveryKind, preRestoreBackup: false, cancellationToken);
                return candidate.Name;
            }
            catch (BackupVerificationException ex)
            {
                logger.LogError("Backup {BackupName} cannot be used for recovery ({Reason}); trying the next one", candidate.Name, ex.Message);
            }
        }

        logger.LogError("No backup in {BackupDirectory} could be restored; starting from the canonical campaigns", catalog.Directory);
        return null;
    }

    /// <summary>A store that cannot be asked leaves recovery to the local backups: a start must not wait on it for a corrupt file.</summary>
    private async Task<string?> RestoreOffSiteIfNewerAsync(DateTimeOffset? localNewest, RecoveryKind? recoveryKind, CancellationToken cancellationToken)
    {
        try
        {
            if (!await offSiteNewest.IsNewerThanAsync(localNewest, cancellationToken))
            {
                return null;
            }

            logger.LogError("Recovering {DatabasePath} from the off-site copies: they hold a newer acknowledged state than any local backup", dataDirectory.DatabasePath);
            return (await Restores.RestoreAsync(RestoreSource.OffSite, backupName: null, recoveryKind, preRestoreBackup: false, cancellationToken)).Backup;
        }
        catch (Exception ex) when (ex is OffSiteStoreUnavailableException or OffSiteStoreException or NoOffSiteRestorePointException)
        {
            logger.LogError("The off-site copies cannot be used for recovery ({Reason}); using the local backups", ex.Message);
            return null;
        }
    }

    private async Task<bool> SchemaExistsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>();
        // Asked of the catalog, not through EF: on a new database EF would log its failed query as an error.
        var found = await db.Database.SqlQuery<bool>($"SELECT to_regclass('campaigns') IS NOT NULL AS \"Value\"").ToListAsync(cancellationToken);
        return found[0];
    }

    /// <summary>
    /// Null when the data is sound. A file exactly as the last clean stop sealed it is not read through again before
    /// serving (a gigabyte's quick_check is seconds of downtime on every deploy): the startup backup's snapshot of it
    /// gets its quick_check right after the service is ready. Anything else (a crash, a file copied in by hand) is
    /// checked in full first.
    /// </summary>
    private string? CheckLiveDatabase()
    {
        var database = dataDirectory.DatabasePath;
        if (CleanStopSeal.TakeIfIntact(database) is { } checkedAt)
        {
            logger.LogInformation("Database {DatabasePath} is as the last clean stop left it (found sound {CheckedAt:O}); its quick_check runs on the startup backup's snapshot",
                database, checkedAt);
            soundness.Passed(checkedAt);
            return null;
        }

        var startedAt = time.GetUtcNow();
        var problem = SqliteFile.FindCorruption(database, storage.Value.BusyTimeoutSeconds);
        if (problem is null)
        {
            soundness.Passed(startedAt);
        }

        return problem;
    }

    /// <summary>Moves the database and its -wal/-shm into quarantine/ under one timestamped name.</summary>
    private string Quarantine()
    {
        Directory.CreateDirectory(dataDirectory.QuarantinePath);
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd_HHmmss_fff", System.Globalization.CultureInfo.InvariantCulture);
        var target = Path.Combine(dataDirectory.QuarantinePath, $"campaigns_{stamp}.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            var file = dataDirectory.DatabasePath + suffix;
            if (File.Exists(file))
            {
                File.Move(file, target + suffix);
            }
        }

        return target;
    }
}
