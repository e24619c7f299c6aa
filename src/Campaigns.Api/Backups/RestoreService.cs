using Campaigns.Api.Campaigns;
using Campaigns.Api.Infrastructure;
using Campaigns.Api.OffSite;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using FluentValidation;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

public static class RestoreSources
{
    public const string Canonical = "canonical";
    public const string LatestBackup = "latest-backup";
    public const string Backup = "backup";
    public const string OffSite = "offsite";

    public static readonly string[] All = [Canonical, LatestBackup, Backup, OffSite];
}

public static class RestoreMethods
{
    /// <summary>The verified copy was renamed over the live file (the old one kept by a hard link).</summary>
    public const string FileSwap = "file-swap";

    /// <summary>Another process had the file open: the copy went in through SQLite's online backup API.</summary>
    public const string OnlineBackupApi = "online-backup-api";

    /// <summary>A JSON snapshot replaced the rows in one transaction (PostgreSQL's kind of backup).</summary>
    public const string Snapshot = "snapshot";
}

public sealed record RestoreResult(
    string Source,
    string? Backup,
    string? Method,
    string? PreRestoreBackup,
    int ActiveBefore,
    int ActiveAfter,
    IReadOnlyList<string> Migrations,
    TopUpSummary TopUp);

public sealed class BackupVerificationException(string name, string problem)
    : DomainException(StatusCodes.Status422UnprocessableEntity, "Backup failed verification", $"Backup {name} cannot be restored: {problem}. Nothing was changed.");

/// <summary>
/// The one restore path, used by startup recovery, the Hangfire job, the admin endpoint and the CLI. A SQLite backup is
/// first copied next to the live database, hashed on the way: a sha256 equal to the sidecar's proves it is the file
/// that was checked when it was taken. That copy then replaces the live file by a rename (<see cref="LiveDatabaseSwap"/>,
/// which keeps the old file as the pre-restore backup), or, when another process has the database open, goes in through
/// SQLite's online backup API after a pre-restore backup (one write transaction: open connections stay valid). Either
/// way a crash leaves the old data or the new, never a mix. Then the database is migrated to the current schema and the
/// canonical top-up runs. A snapshot backup (PostgreSQL's kind) replaces the campaigns and seed history in one
/// transaction instead; the steps around it are the same.
/// </summary>
public sealed class RestoreService(
    IServiceScopeFactory scopes,
    DataDirectory dataDirectory,
    DatabaseTarget database,
    IValidator<CampaignRequest> validator,
    BackupCatalog catalog,
    BackupService backups,
    LiveDatabaseSwap swap,
    RecoveryLog recoveries,
    StorageState state,
    IOptions<StorageOptions> storage,
    ILogger<RestoreService> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// The backup a request names (null for the canonical source), or a 404 DomainException. Called before a restore
    /// is queued, so a bad request queues nothing, and again when it runs.
    /// </summary>
    public BackupEntry? ResolveBackup(string source, string? backupName) => source switch
    {
        RestoreSources.Canonical or RestoreSources.OffSite => null,
        RestoreSources.LatestBackup => catalog.Good(backups.ExpectedActive()).FirstOrDefault(Fits)
            ?? throw new DomainException(StatusCodes.Status404NotFound, "No backup to restore",
                $"There is no verified backup with at least {backups.ExpectedActive()} active campaigns in {catalog.Directory}."),
        RestoreSources.Backup => catalog.Find(backupName ?? "") switch
        {
            null => throw new DomainException(StatusCodes.Status404NotFound, "Backup not found", $"There is no backup named '{backupName}'."),
            var entry when !Fits(entry) => throw new DomainException(StatusCodes.Status422UnprocessableEntity, "Backup does not fit this database",
                $"Backup {entry.Name} is a SQLite file and this service runs on PostgreSQL: restore a {BackupNames.SnapshotExtension} backup, " +
                "or copy the SQLite data with the CLI's migrate command. Nothing was changed."),
            var entry => entry,
        },
        _ => throw new DomainException(StatusCodes.Status400BadRequest, "Unknown restore source",
            $"source must be one of {string.Join(", ", RestoreSources.All)}."),
    };

    /// <summary>A snapshot restores into either provider; a SQLite file only into SQLite.</summary>
    private bool Fits(BackupEntry entry) => database.Provider == DatabaseProvider.Sqlite || BackupNames.IsSnapshot(entry.Name);

    /// <param name="recoveryKind">How /health names this restore (a manual restore, or a startup recovery); null when the
    /// caller records it itself, with more to say.</param>
    /// <param name="preRestoreBackup">False only when there is no usable live database to save (startup recovery).</param>
    public async Task<RestoreResult> RestoreAsync(
        string source, string? backupName, string? recoveryKind = RecoveryKinds.Restore, bool preRestoreBackup = true,
        CancellationToken cancellationToken = default)
    {
        if (source == RestoreSources.OffSite) return await OffSiteRestorer.RunAsync(scopes, at: backupName, recoveryKind, preRestoreBackup, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entry = ResolveBackup(source, backupName);
            var before = await CountLiveCampaignsAsync(cancellationToken);
            var keepOld = preRestoreBackup && before.Any;
            var (method, preRestore) = entry is null ? (null, null)
                : BackupNames.IsSnapshot(entry.Name) ? await RestoreSnapshotAsync(entry, keepOld, cancellationToken)
                : await RestoreFileAsync(entry, keepOld, cancellationToken);

            await using var scope = scopes.CreateAsyncScope();
            var migrations = await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            var topUp = await scope.ServiceProvider.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTriggers.Restore, cancellationToken);
            state.LastTopUp = topUp;
            // The restored state is now the newest good one: losing the database later must bring it back, not the pre-restore backup.
            if (keepOld) await backups.TryCreateAsync(BackupTriggers.PostRestore, cancellationToken);
            await scope.ServiceProvider.GetRequiredService<OffSiteRestorer>().AfterRestoreAsync(cancellationToken);

            var activeBefore = before.Active;
            var result = new RestoreResult(source, entry?.Name, method, preRestore, activeBefore, topUp.ActiveAfter, migrations, topUp);
            logger.LogWarning(
                "Restored {DatabasePath} from {RestoreSource} {BackupName} by {RestoreMethod}: active campaigns {ActiveBefore} -> {ActiveAfter}; pre-restore backup {PreRestoreBackup}; top-up inserted {Inserted}, reactivated {Reactivated}",
                dataDirectory.DatabasePath, source, entry?.Name, method, activeBefore, result.ActiveAfter, preRestore, topUp.Inserted, topUp.Reactivated);
            if (recoveryKind is not null)
            {
                recoveries.Record(recoveryKind,
                    $"Restored from {(entry is null ? "the canonical campaigns" : $"backup {entry.Name}")}: {activeBefore} -> {result.ActiveAfter} active campaigns.");
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <param name="keepOld">Save the live database as a pre-restore backup first.</param>
    private async Task<(string Method, string? PreRestore)> RestoreFileAsync(BackupEntry entry, bool keepOld, CancellationToken cancellationToken)
    {
        var prepared = Path.Combine(catalog.Directory, $"restore_{entry.Name}{BackupNames.TemporaryExtension}");
        var isPrepared = false;
        void Prepare()
        {
            PrepareCopy(entry, prepared);
            isPrepared = true;
        }

        try
        {
            if (await swap.TrySwapAsync(Prepare, prepared, keepOld, entry.Name, cancellationToken) is { } swapped)
            {
                return (RestoreMethods.FileSwap, swapped.PreRestoreBackup);
            }

            if (!isPrepared)
            {
                await Task.Run(Prepare, cancellationToken);
            }

            var preRestore = await BackUpBeforeRestoreAsync(keepOld, entry, cancellationToken);
            using (var copy = SqliteFile.Open(prepared, SqliteOpenMode.ReadOnly))
            using (var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadWriteCreate, storage.Value.BusyTimeoutSeconds))
            {
                copy.BackupDatabase(live);
                SqliteFile.Execute(live, "PRAGMA journal_mode = WAL;");
            }

            return (RestoreMethods.OnlineBackupApi, preRestore);
        }
        finally
        {
            File.Delete(prepared);
        }
    }

    /// <summary>
    /// Copies the backup next to the live database (same file system, so it can be renamed over it), hashing it on the
    /// way: the sha256 its sidecar recorded when the backup was taken and checked proves the bytes are still those.
    /// A backup whose sidecar does not say it passed its check gets the full integrity_check here.
    /// </summary>
    private void PrepareCopy(BackupEntry entry, string prepared)
    {
        var path = catalog.PathOf(entry.Name);
        var sha256 = SqliteFile.CopyWithSha256(path, new FileInfo(path).Length, prepared);
        var problem = !string.Equals(sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase)
            ? $"checksum mismatch: the file's sha256 is {sha256}, its sidecar says {entry.Sha256}"
            : entry.Verified ? null : BackupService.CheckCopy(prepared, quick: false, out _);
        if (problem is not null)
        {
            throw Refuse(entry, problem);
        }
    }

    private async Task<(string Method, string? PreRestore)> RestoreSnapshotAsync(BackupEntry entry, bool keepOld, CancellationToken cancellationToken)
    {
        var verification = backups.Verify(entry);
        if (!verification.Ok)
        {
            throw Refuse(entry, verification.Problem!);
        }

        var preRestore = await BackUpBeforeRestoreAsync(keepOld, entry, cancellationToken);
        await ReplaceWithSnapshotAsync(catalog.PathOf(entry.Name), cancellationToken);
        return (RestoreMethods.Snapshot, preRestore);
    }

    private BackupVerificationException Refuse(BackupEntry entry, string problem)
    {
        logger.LogError("Refusing to restore backup {BackupName}: {Problem}", entry.Name, problem);
        return new BackupVerificationException(entry.Name, problem);
    }

    /// <summary>A regular backup of the live database, kept by rotation alongside the one about to be restored.</summary>
    private async Task<string?> BackUpBeforeRestoreAsync(bool keepOld, BackupEntry entry, CancellationToken cancellationToken) =>
        keepOld ? (await backups.CreateAsync(BackupTriggers.PreRestore, cancellationToken, keepAlso: entry.Name)).Name : null;

    /// <summary>The snapshot's campaigns (with their ids) and seed history replace what is there, all or nothing.</summary>
    private async Task ReplaceWithSnapshotAsync(string path, CancellationToken cancellationToken)
    {
        var snapshot = CampaignSnapshotFile.Read(path, validator);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The same lock as the top-up: no replica inserts canonical campaigns halfway through the replacement.
        await DatabaseLocks.AcquireForTransactionAsync(db.Database, DatabaseLocks.CanonicalTopUp, "restore", logger, cancellationToken);
        await db.Campaigns.ExecuteDeleteAsync(cancellationToken);
        await db.SeedHistory.ExecuteDeleteAsync(cancellationToken);
        db.Campaigns.AddRange(snapshot.Campaigns.Select(c => c.ToEntity()));
        db.SeedHistory.AddRange(snapshot.SeedHistory.Select(h => h.ToEntity()));
        await db.SaveChangesAsync(cancellationToken);
        await IdentitySequences.MovePastExistingIdsAsync(db.Database, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The active count for the result, and whether there is anything to save first, from one read. When the file cannot
    /// be read, it is assumed to hold data: the pre-restore backup then tries, and fails the restore loudly if it cannot.
    /// </summary>
    private async Task<(int Active, bool Any)> CountLiveCampaignsAsync(CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            await using var scope = scopes.CreateAsyncScope();
            var campaigns = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>().Campaigns;
            return (await campaigns.CountAsync(c => c.Active, cancellationToken), await campaigns.AnyAsync(cancellationToken));
        }

        if (!File.Exists(dataDirectory.DatabasePath))
        {
            return (0, false);
        }

        try
        {
            using var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadOnly, storage.Value.BusyTimeoutSeconds);
            return SqliteFile.Inspect(live) is { } contents ? (contents.ActiveCampaigns, contents.TotalCampaigns > 0) : (0, false);
        }
        catch (SqliteException ex)
        {
            logger.LogWarning("Could not count the campaigns in {DatabasePath} before the restore: {Reason}", dataDirectory.DatabasePath, ex.Message);
            return (0, true);
        }
    }
}
