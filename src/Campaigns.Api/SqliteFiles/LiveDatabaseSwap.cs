using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

/// <summary>What a swap did: the name the old database was published under, if it was kept (verified shortly after).</summary>
public sealed record SwapOutcome(string? PreRestoreBackup);

/// <summary>
/// The fast way for a restore to put a prepared, verified copy in place of the live database: a rename over the live
/// file, which is atomic (a crash leaves the old file or the new one, never a mix), with the old file kept as the
/// pre-restore backup by a hard link, so the restore can be undone without copying the gigabyte twice.
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
            var swapped = false;
            void RenameOverLiveFile()
            {
                File.Move(preparedPath, live, overwrite: true);
                swapped = true;
            }

            var preparing = Task.Run(prepare, cancellationToken);
            try
            {
                if (reservation is null)
                {
                    await preparing;
                    RenameOverLiveFile();
                }
                else
                {
                    preRestore = await KeepOldFileAsync(live, old, reservation, preparing, RenameOverLiveFile, keepAlso, cancellationToken);
                }
            }
            catch (Exception ex) when (!swapped && ex is IOException or UnauthorizedAccessException or BackupFailedException or BackupVerificationException)
            {
                await Task.WhenAny(preparing);
                if (reservation is not null)
                {
                    File.Delete(reservation.TemporaryPath);
                }

                SqliteFile.Execute(old, "PRAGMA journal_mode = WAL;");
                if (preparing.IsFaulted)
                {
                    throw;
                }

                // On another file system (a separately mounted backups directory) a rename cannot replace the file.
                logger.LogWarning("Cannot swap {PreparedPath} in for {DatabasePath} ({Reason}); restoring through the online backup API instead",
                    preparedPath, live, ex.Message);
                return null;
            }
            catch (BackupFailedException ex) when (swapped)
            {
                // The new file is live; only the old file's last rename failed, and the next start publishes it.
                logger.LogError("The restore is done but its pre-restore backup is not published yet: {Reason}", ex.Message);
            }

            UseWal(live);
            closed.Dispose(); // requests go on, on the new file
            logger.LogInformation("Restored database renamed over {DatabasePath}; the file it replaced is kept as backup {PreRestoreBackup}", live, preRestore?.Name);
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
        // One second, not the usual thirty: Microsoft.Data.Sqlite retries a busy command for the connection's timeout,
        // and each attempt here must give up quickly so the deadline below holds.
        var connection = SqliteFile.Open(live, SqliteOpenMode.ReadWrite, busyTimeoutSeconds: 1);
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
    /// The old file under the pre-restore backup's temporary name (a hard link: no copy; a copy where links cannot be
    /// made), hashed next to the preparation of the new file. Its sidecar is written, then the new file is renamed over
    /// the live one, then the old file takes its backup name. A crash before the middle step leaves the old file live
    /// (the next start removes the second name), a crash after it leaves the old file named by a sidecar and the next
    /// start publishes it (<see cref="BackupService.Cleanup"/>): the data from before the restore is never lost, and no
    /// published backup is ever the live file under another name. quick_check runs after the swap.
    /// </summary>
    private async Task<BackupEntry> KeepOldFileAsync(
        string live, SqliteConnection old, BackupReservation reservation, Task preparing, Action renameOverLiveFile, string? keepAlso,
        CancellationToken cancellationToken)
    {
        File.Delete(reservation.TemporaryPath);
        if (!HardLink.TryCreate(live, reservation.TemporaryPath, out var error))
        {
            logger.LogWarning("Cannot give {DatabasePath} a second name ({Reason}); copying it for the pre-restore backup instead", live, error);
            File.Copy(live, reservation.TemporaryPath);
        }

        return await backups.AdoptAsync(BackupTriggers.PreRestore, reservation, async (path, ct) =>
        {
            var hashing = Task.Run(() => SqliteFile.Sha256Of(path), ct);
            var contents = SqliteFile.Inspect(old) ?? new SqliteContents("", 0, 0);
            await preparing;
            return new CheckedCopy(contents, await hashing, Verified: false);
        }, renameOverLiveFile, keepAlso, cancellationToken);
    }

    /// <summary>
    /// In the background: quick_check the pre-restore backup and record the result in its sidecar, then keep the
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
                // Through the connection holding the lock: the backup is that very file (or a copy of it).
                if (preRestore is not null && SqliteFile.Check(old, quick: true) is var check)
                {
                    if (check == "ok")
                    {
                        backups.RecordVerified(preRestore);
                    }
                    else
                    {
                        logger.LogError("Pre-restore backup {BackupName} failed quick_check ({Problem}); it stays, unverified", preRestore.Name, check);
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
