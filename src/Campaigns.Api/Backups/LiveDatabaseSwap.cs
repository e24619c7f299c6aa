using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

/// <summary>What a swap did: the name the old database was published under, if it was kept (verified shortly after).</summary>
public sealed record SwapOutcome(string? PreRestoreBackup);

/// <summary>
/// The fast way for a restore to put a prepared, verified copy in place of the live database: a rename over the live
/// file, which is atomic (a crash leaves the old file or the new one, never a mix), with a copy of the old file published
/// as the pre-restore backup just before, both copies made side by side while this process's connections wait.
/// <para>
/// A SQLite connection keeps the file it opened, so this is only safe when no connection anywhere has the old file open.
/// It closes this process's connections first (<see cref="LiveDatabaseGate"/>), then asks SQLite: leaving WAL mode needs
/// every other connection, in any process, to be gone, and it also checkpoints and removes the -wal file, which must not
/// be replayed into the new database. It then holds an exclusive lock on the old file, so a process that opened it at
/// that moment gets "database is locked" instead of using it. When another process keeps the file open, it declines and
/// nothing has changed: the restore then copies through SQLite's online backup API instead.
/// </para>
/// </summary>
public sealed class LiveDatabaseSwap(
    DataDirectory dataDirectory,
    BackupCatalog catalog,
    LiveDatabaseGate gate,
    BackupService backups,
    IOptions<StorageOptions> storage,
    IHostApplicationLifetime lifetime,
    ILogger<LiveDatabaseSwap> logger)
{
    private const int SqliteBusy = 5;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SoleOwnershipTimeout = TimeSpan.FromSeconds(2);

    /// <param name="prepare">Writes and checks the new database at <paramref name="preparedPath"/> (same file system); it runs
    /// while this process's connections wait, next to the hashing of the old file.</param>
    /// <param name="keepOld">Publish the old database as a pre-restore backup.</param>
    /// <param name="keepAlso">A backup the pre-restore backup's rotation must not remove (the one being restored).</param>
    /// <returns>Null when it declined; nothing has changed then (<paramref name="prepare"/> may have run).</returns>
    public async Task<SwapOutcome?> TrySwapAsync(
        Action prepare, string preparedPath, bool keepOld, string? keepAlso, CancellationToken cancellationToken)
    {
        var live = dataDirectory.DatabasePath;
        var closed = await gate.CloseAsync(DrainTimeout, cancellationToken);
        if (closed is null)
        {
            logger.LogWarning("Connections of this process to {DatabasePath} stayed in use for {DrainTimeout}; restoring through the online backup API instead",
                live, DrainTimeout);
            return null;
        }

        SqliteConnection? old = null;
        BackupEntry? preRestore = null;
        try
        {
            if (!File.Exists(live))
            {
                await Task.Run(prepare, cancellationToken);
                File.Move(preparedPath, live);
                UseWal(live);
                logger.LogInformation("Restored database moved into place at {DatabasePath}", live);
                return new SwapOutcome(null);
            }

            if ((old = TakeSoleOwnership(live)) is null)
            {
                return null;
            }

            var reservation = keepOld ? backups.Reserve(BackupNames.Extension) : null;
            var preparing = Task.Run(prepare, cancellationToken);
            // The old file is published (unverified) before the rename: a crash from here on never loses it.
            Task<BackupEntry?> keeping = reservation is null ? Task.FromResult<BackupEntry?>(null) : KeepOldFileAsync(live, old, reservation, keepAlso, cancellationToken);
            try
            {
                await Task.WhenAll(preparing, keeping);
                preRestore = keeping.Result;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BackupFailedException or BackupVerificationException)
            {
                // The restore does not happen and the old file stays live: its pre-restore backup would be a duplicate.
                if (keeping.IsCompletedSuccessfully && keeping.Result is { } kept)
                {
                    backups.Remove(kept);
                }

                SqliteFile.Execute(old, "PRAGMA journal_mode = WAL;");
                throw;
            }

            try
            {
                File.Move(preparedPath, live, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // On another file system (a separately mounted backups directory) a rename cannot replace the file.
                logger.LogWarning("Cannot rename {PreparedPath} over {DatabasePath} ({Reason}); restoring through the online backup API instead",
                    preparedPath, live, ex.Message);
                if (preRestore is not null)
                {
                    backups.Remove(preRestore);
                }

                SqliteFile.Execute(old, "PRAGMA journal_mode = WAL;");
                return null;
            }

            UseWal(live);
            closed.Dispose(); // requests go on, on the new file
            logger.LogInformation("Restored database renamed over {DatabasePath}; the file it replaced was copied to backup {PreRestoreBackup}", live, preRestore?.Name);
            VerifyPreRestoreAndReleaseOldFile(old, preRestore);
            old = null;
            return new SwapOutcome(preRestore?.Name);
        }
        finally
        {
            old?.Dispose();
            closed.Dispose();
        }
    }

    /// <summary>The old file, locked exclusively, out of WAL mode and without a -wal file; null when another process has it open.</summary>
    private SqliteConnection? TakeSoleOwnership(string live)
    {
        var connection = SqliteFile.Open(live, SqliteOpenMode.ReadWrite);
        SqliteFile.Execute(connection, "PRAGMA busy_timeout = 100; PRAGMA locking_mode = EXCLUSIVE;");
        var deadline = DateTime.UtcNow + SoleOwnershipTimeout;
        while (true)
        {
            try
            {
                if (SqliteFile.Scalar<string>(connection, "PRAGMA journal_mode = DELETE;") == "delete" && !File.Exists(live + "-wal"))
                {
                    SqliteFile.Execute(connection, "BEGIN EXCLUSIVE; COMMIT;");
                    return connection;
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteBusy)
            {
                // another connection still reads or writes it: retry until the deadline
            }

            if (DateTime.UtcNow > deadline)
            {
                logger.LogWarning("Another process keeps {DatabasePath} open; restoring through the online backup API instead", live);
                connection.Dispose();
                return null;
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// A copy of the old file (hashed as it is written) published as the pre-restore backup before the rename, so a crash
    /// from then on never loses it; quick_check runs after the swap, while requests are served again. A hard link would
    /// spare the copy, but until the rename the backup's name and the live database would be one file, and a crash there
    /// would leave a "backup" that changes with every write.
    /// </summary>
    private async Task<BackupEntry?> KeepOldFileAsync(string live, SqliteConnection old, BackupReservation reservation, string? keepAlso, CancellationToken cancellationToken) =>
        await backups.AdoptAsync(BackupTriggers.PreRestore, reservation, (path, ct) => Task.Run(() =>
        {
            var sha256 = SqliteFile.CopyWithSha256(live, new FileInfo(live).Length, path);
            return new CheckedCopy(SqliteFile.Inspect(old) ?? new SqliteContents("", 0, 0), sha256, Verified: false);
        }, ct), keepAlso, cancellationToken);

    /// <summary>
    /// In the background: quick_check the pre-restore backup and record the result in its sidecar; meanwhile keep the
    /// old file's exclusive lock for the busy timeout, so a process that opened the old file just before the rename gets
    /// "database is locked" instead of using it. Released early when the host stops.
    /// </summary>
    private void VerifyPreRestoreAndReleaseOldFile(SqliteConnection old, BackupEntry? preRestore)
    {
        var releaseAt = DateTime.UtcNow.AddSeconds(storage.Value.BusyTimeoutSeconds + 1);
        var stopping = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try
            {
                if (preRestore is not null && BackupService.CheckCopy(catalog.PathOf(preRestore.Name), quick: true, out _) is var problem)
                {
                    if (problem is null)
                    {
                        backups.RecordVerified(preRestore);
                    }
                    else
                    {
                        logger.LogError("Pre-restore backup {BackupName} failed its check ({Problem}); it stays, unverified", preRestore.Name, problem);
                    }
                }

                var remaining = releaseAt - DateTime.UtcNow;
                if (remaining > TimeSpan.Zero)
                {
                    await Task.Delay(remaining, stopping);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SqliteException or IOException)
            {
                logger.LogDebug("Released the swapped-out database early: {Reason}", ex.Message);
            }
            finally
            {
                old.Dispose();
            }
        }, CancellationToken.None);
    }

    private static void UseWal(string path)
    {
        using var connection = SqliteFile.Open(path, SqliteOpenMode.ReadWrite);
        SqliteFile.Execute(connection, "PRAGMA journal_mode = WAL;");
    }
}
