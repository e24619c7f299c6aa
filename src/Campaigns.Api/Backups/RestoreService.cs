using Campaigns.Api.Infrastructure;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

public static class RestoreSources
{
    public const string Canonical = "canonical";
    public const string LatestBackup = "latest-backup";
    public const string Backup = "backup";

    public static readonly string[] All = [Canonical, LatestBackup, Backup];
}

public sealed record RestoreResult(
    string Source,
    string? Backup,
    string? PreRestoreBackup,
    int ActiveBefore,
    int ActiveAfter,
    IReadOnlyList<string> Migrations,
    TopUpSummary TopUp);

public sealed class BackupVerificationException(string name, string problem)
    : DomainException(StatusCodes.Status422UnprocessableEntity, "Backup failed verification", $"Backup {name} cannot be restored: {problem}. Nothing was changed.");

/// <summary>
/// The one restore path, used by startup recovery, the Hangfire job, the admin endpoint and the CLI: verify the backup,
/// take a pre-restore backup, copy the backup into the live database with SQLite's online backup API (one write
/// transaction: open connections stay valid, and a crash leaves the old data or the new, never a mix), migrate it to
/// the current schema, then run the canonical top-up.
/// </summary>
public sealed class RestoreService(
    IServiceScopeFactory scopes,
    DataDirectory dataDirectory,
    BackupCatalog catalog,
    BackupService backups,
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
        RestoreSources.Canonical => null,
        RestoreSources.LatestBackup => catalog.LastKnownGood(backups.ExpectedActive())
            ?? throw new DomainException(StatusCodes.Status404NotFound, "No backup to restore",
                $"There is no verified backup with at least {backups.ExpectedActive()} active campaigns in {catalog.Directory}."),
        RestoreSources.Backup => catalog.Find(backupName ?? "")
            ?? throw new DomainException(StatusCodes.Status404NotFound, "Backup not found", $"There is no backup named '{backupName}'."),
        _ => throw new DomainException(StatusCodes.Status400BadRequest, "Unknown restore source",
            $"source must be one of {string.Join(", ", RestoreSources.All)}."),
    };

    /// <param name="recoveryKind">How /health names this restore (a manual restore, or a startup recovery).</param>
    /// <param name="preRestoreBackup">False only when there is no usable live database to save (startup recovery).</param>
    public async Task<RestoreResult> RestoreAsync(
        string source, string? backupName, string recoveryKind = RecoveryKinds.Restore, bool preRestoreBackup = true,
        CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entry = ResolveBackup(source, backupName);
            var activeBefore = CountActive();
            string? preRestore = null;
            if (entry is not null)
            {
                var verification = backups.Verify(entry);
                if (!verification.Ok)
                {
                    logger.LogError("Refusing to restore backup {BackupName}: {Problem}", entry.Name, verification.Problem);
                    throw new BackupVerificationException(entry.Name, verification.Problem!);
                }

                if (preRestoreBackup && backups.LiveDatabaseHoldsData())
                {
                    preRestore = (await backups.CreateAsync(BackupTriggers.PreRestore, cancellationToken, keepAlso: entry.Name)).Name;
                }

                CopyIntoLiveDatabase(catalog.PathOf(entry.Name));
            }

            await using var scope = scopes.CreateAsyncScope();
            var migrations = await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            var topUp = await scope.ServiceProvider.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTriggers.Restore, cancellationToken);
            state.LastTopUp = topUp;

            var result = new RestoreResult(source, entry?.Name, preRestore, activeBefore, topUp.ActiveAfter, migrations, topUp);
            logger.LogWarning(
                "Restored {DatabasePath} from {RestoreSource} {BackupName}: active campaigns {ActiveBefore} -> {ActiveAfter}; pre-restore backup {PreRestoreBackup}; top-up inserted {Inserted}, reactivated {Reactivated}",
                dataDirectory.DatabasePath, source, entry?.Name, activeBefore, result.ActiveAfter, preRestore, topUp.Inserted, topUp.Reactivated);
            recoveries.Record(recoveryKind,
                $"Restored from {(entry is null ? "the canonical campaigns" : $"backup {entry.Name}")}: {activeBefore} -> {result.ActiveAfter} active campaigns.");
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void CopyIntoLiveDatabase(string backupPath)
    {
        using var backup = SqliteFile.Open(backupPath, SqliteOpenMode.ReadOnly);
        using var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadWriteCreate, storage.Value.BusyTimeoutSeconds);
        backup.BackupDatabase(live);
        SqliteFile.Execute(live, "PRAGMA journal_mode = WAL;");
    }

    private int CountActive()
    {
        if (!File.Exists(dataDirectory.DatabasePath))
        {
            return 0;
        }

        try
        {
            using var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadOnly, storage.Value.BusyTimeoutSeconds);
            return SqliteFile.Inspect(live)?.ActiveCampaigns ?? 0;
        }
        catch (SqliteException ex)
        {
            logger.LogWarning("Could not count the campaigns in {DatabasePath} before the restore: {Reason}", dataDirectory.DatabasePath, ex.Message);
            return 0;
        }
    }
}
