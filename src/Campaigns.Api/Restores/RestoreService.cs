using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.OffSite;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Restores;

/// <summary>
/// The one restore path, used by startup recovery, the Hangfire job, the admin endpoint and the CLI. A SQLite backup is
/// first copied next to the live database and verified (<see cref="PreparedCopy"/>), then goes in by a rename
/// (<see cref="FileSwapRestore"/>) or, when another process has the database open, through SQLite's online backup API
/// (<see cref="OnlineCopyRestore"/>); a snapshot backup replaces the rows in one transaction (<see cref="SnapshotRestore"/>).
/// Either way a crash leaves the old data or the new, never a mix. Then the database is migrated to the current schema
/// and the canonical top-up runs.
/// </summary>
public sealed class RestoreService(
    IServiceScopeFactory scopes,
    DataDirectory dataDirectory,
    DatabaseTarget database,
    BackupCatalog catalog,
    CanonicalSeedSource seed,
    LiveDatabaseContents live,
    PreparedCopy preparedCopy,
    FileSwapRestore fileSwap,
    OnlineCopyRestore onlineCopy,
    SnapshotRestore snapshotRestore,
    OffSiteNewest offSiteNewest,
    RecoveryLog recoveries,
    SeedingState seeding,
    TimeProvider time,
    ILogger<RestoreService> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// The backup a request names (null for the canonical source), or why there is none. Called before a restore is
    /// queued, so a bad request queues nothing, and again when it runs.
    /// </summary>
    public BackupEntry? ResolveBackup(RestoreSource source, string? backupName) => source switch
    {
        RestoreSource.Canonical or RestoreSource.OffSite => null,
        // With off-site copies on, the store may hold the newest state even when no local backup does: RestoreAsync decides.
        RestoreSource.LatestBackup => NewestLocal()
            ?? (offSiteNewest.Enabled ? null : throw new NoBackupToRestoreException(seed.ExpectedActive(), catalog.Directory)),
        RestoreSource.Backup => catalog.Find(backupName ?? "") switch
        {
            null => throw new BackupNotFoundException(backupName ?? ""),
            var entry when !Fits(entry) => throw new BackupDoesNotFitException(entry.Name),
            var entry => entry,
        },
        _ => throw new UnknownRestoreSourceException(),
    };

    private BackupEntry? NewestLocal() => catalog.Good(seed.ExpectedActive()).FirstOrDefault(Fits);

    /// <summary>A snapshot restores into either provider; a SQLite file only into SQLite.</summary>
    private bool Fits(BackupEntry entry) => database.Provider == DatabaseProvider.Sqlite || BackupNames.IsSnapshot(entry.Name);

    /// <param name="recoveryKind">How /health names this restore (a manual restore, or a startup recovery); null when the
    /// caller records it itself, with more to say.</param>
    /// <param name="preRestoreBackup">False only when there is no usable live database to save (startup recovery).</param>
    public async Task<RestoreResult> RestoreAsync(
        RestoreSource source, string? backupName, RecoveryKind? recoveryKind = RecoveryKind.Restore, bool preRestoreBackup = true,
        CancellationToken cancellationToken = default)
    {
        if (source == RestoreSource.OffSite) return await OffSiteRestorer.RunAsync(scopes, at: backupName, recoveryKind, preRestoreBackup, cancellationToken);
        // The newest acknowledged state wins: the off-site copies when they are newer than the newest local backup.
        if (source == RestoreSource.LatestBackup && await offSiteNewest.IsNewerThanAsync(NewestLocal()?.StateAt, cancellationToken))
        {
            return await OffSiteRestorer.RunAsync(scopes, at: null, recoveryKind, preRestoreBackup, cancellationToken);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entry = ResolveBackup(source, backupName)
                        ?? (source == RestoreSource.LatestBackup ? throw new NoBackupToRestoreException(seed.ExpectedActive(), catalog.Directory) : null);
            var before = await live.ReadAsync(cancellationToken);
            var keepOld = preRestoreBackup && before.HoldsData;
            (RestoreMethod? Method, string? PreRestore) restored = entry is null ? (null, null)
                : BackupNames.IsSnapshot(entry.Name) ? (RestoreMethod.Snapshot, await snapshotRestore.RestoreAsync(entry, keepOld, cancellationToken))
                : await RestoreFileAsync(entry, keepOld, cancellationToken);

            await using var scope = scopes.CreateAsyncScope();
            var migrations = await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
            var topUp = await scope.ServiceProvider.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTrigger.Restore, cancellationToken);
            seeding.LastTopUp = topUp;
            // The restored state is now the newest good one: losing the database later must bring it back, not the pre-restore backup.
            if (entry is not null)
            {
                catalog.MarkRestored(entry, time.GetUtcNow());
            }

            await scope.ServiceProvider.GetRequiredService<OffSiteRestorer>().AfterRestoreAsync(cancellationToken);

            var (method, preRestore) = restored;
            var result = new RestoreResult(source, entry?.Name, method, preRestore, before.Active, topUp.ActiveAfter, migrations, topUp);
            logger.LogWarning(
                "Restored {DatabasePath} from {RestoreSource} {BackupName} by {RestoreMethod}: active campaigns {ActiveBefore} -> {ActiveAfter}; pre-restore backup {PreRestoreBackup}; top-up inserted {InsertedCount}, reactivated {ReactivatedCount}",
                dataDirectory.DatabasePath, source.ToWire(), entry?.Name, method?.ToWire(), before.Active, result.ActiveAfter, preRestore, topUp.Inserted.Count, topUp.Reactivated.Count);
            if (recoveryKind is { } kind)
            {
                recoveries.Record(kind,
                    $"Restored from {(entry is null ? "the canonical campaigns" : $"backup {entry.Name}")}: {before.Active} -> {result.ActiveAfter} active campaigns.");
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The copy is prepared while the swap waits for this process's connections; the online copy uses the same one.</summary>
    private async Task<(RestoreMethod?, string?)> RestoreFileAsync(BackupEntry entry, bool keepOld, CancellationToken cancellationToken)
    {
        var prepared = preparedCopy.PathFor(entry);
        var preparing = Task.Run(() => preparedCopy.Write(entry, prepared), cancellationToken);
        try
        {
            return await fileSwap.TryRestoreAsync(preparing, prepared, keepOld, entry.Name, cancellationToken) is { } swapped
                ? (RestoreMethod.FileSwap, swapped.PreRestoreBackup)
                : (RestoreMethod.OnlineBackupApi, await onlineCopy.RestoreAsync(preparing, prepared, keepOld, entry.Name, cancellationToken));
        }
        finally
        {
            await Task.WhenAny(preparing);
            File.Delete(prepared);
        }
    }
}
