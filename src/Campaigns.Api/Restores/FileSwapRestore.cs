using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Restores;

/// <summary>What a swap did: the name the old database was published under, if it was kept (verified shortly after).</summary>
public sealed record SwapOutcome(string? PreRestoreBackup);

/// <summary>
/// The fast restore: the prepared, verified copy is renamed over the live file (<see cref="LiveDatabaseSwap"/>), and
/// the old file is kept as the pre-restore backup by a hard link, so the restore can be undone without copying the
/// gigabyte twice. Declines, with nothing changed, when another process has the file open or the rename cannot replace it.
/// </summary>
public sealed class FileSwapRestore(
    DataDirectory dataDirectory,
    LiveDatabaseSwap swap,
    BackupService backups,
    BackupPublisher publisher,
    BackupCatalog catalog,
    IOptions<StorageOptions> storage,
    ILogger<FileSwapRestore> logger)
{
    /// <param name="preparing">Writes and checks the new database at <paramref name="prepared"/> (same file system); its
    /// failure fails the restore, with nothing changed.</param>
    /// <param name="keepOld">Publish the old database as a pre-restore backup.</param>
    /// <param name="restoring">The backup being restored, which the pre-restore backup's rotation must not remove.</param>
    /// <returns>Null when it declined; nothing has changed then.</returns>
    public async Task<SwapOutcome?> TryRestoreAsync(Task preparing, string prepared, bool keepOld, string restoring, CancellationToken cancellationToken)
    {
        using var owned = await swap.TryTakeAsync(dataDirectory.DatabasePath, storage.Value.BusyTimeoutSeconds, cancellationToken);
        if (owned is null)
        {
            return null;
        }

        if (!keepOld || !owned.LiveFileExists)
        {
            return await SwapAsync(owned, preparing, prepared) ? new SwapOutcome(null) : null;
        }

        return await SwapKeepingOldAsync(owned, preparing, prepared, restoring, cancellationToken);
    }

    private async Task<bool> SwapAsync(SoleOwnership owned, Task preparing, string prepared)
    {
        try
        {
            await preparing;
            owned.ReplaceWith(prepared);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !preparing.IsFaulted)
        {
            Decline(prepared, ex);
            return false;
        }

        _ = owned.Complete(quickCheckOld: false);
        logger.LogInformation("Restored database moved into place at {DatabasePath}", owned.LivePath);
        return true;
    }

    /// <summary>
    /// The crash-safe order, top to bottom. (1) A backup name is reserved and the old file gets its temporary name as a
    /// second name (a hard link: no copy). (2) The sidecar is written, without a sha256 yet. (3) The new file is renamed
    /// over the live one. (4) The old file takes its backup name. A crash before (3) leaves the old file live and its
    /// second name with the same bytes, which the next start removes; a crash after it leaves the old file named by a
    /// sidecar and different from the live one, which the next start publishes (<see cref="BackupCleanup"/>): the data
    /// from before the restore is never lost, and no published backup is ever the live file under another name. The old
    /// file's sha256 and quick_check are taken after the swap, in the background: nothing writes it any more, and hashing
    /// it beside the new file's copy had the two share the cores (a gigabyte restored 0.2–0.3 s later, measured).
    /// </summary>
    private async Task<SwapOutcome?> SwapKeepingOldAsync(SoleOwnership owned, Task preparing, string prepared, string restoring, CancellationToken cancellationToken)
    {
        using var noOtherBackup = await backups.HoldAsync(cancellationToken);
        BackupReservation? reservation = null;
        BackupEntry entry;
        try
        {
            reservation = publisher.Reserve(BackupNames.Extension);
            owned.KeepOldAs(reservation.TemporaryPath);
            var contents = owned.InspectOld() ?? new SqliteContents("", 0, 0);
            await preparing;
            entry = publisher.WriteSidecar(reservation, BackupTrigger.PreRestore, new CheckedCopy(contents, Sha256: null, Verified: false));
            owned.ReplaceWith(prepared);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BackupFailedException or BackupVerificationException)
        {
            if (reservation is not null)
            {
                publisher.Discard(reservation);
            }

            await Task.WhenAny(preparing);
            if (preparing.IsFaulted)
            {
                throw;
            }

            Decline(prepared, ex);
            return null;
        }

        string? published = entry.Name;
        try
        {
            publisher.Publish(reservation, entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The new file is live; only the old file's last rename failed, and the next start publishes it.
            logger.LogError(ex, "Backup {BackupName} could not take its name; {FilePath} and its sidecar are kept and published at the next start",
                entry.Name, reservation.TemporaryPath);
            backups.RecordFailed(BackupTrigger.PreRestore, new BackupFailedException($"Backup {entry.Name} could not take its name: {ex.Message}", ex));
            published = null;
        }

        var oldFileCheck = owned.Complete(quickCheckOld: published is not null);
        logger.LogInformation("Restored database renamed over {DatabasePath}; the file it replaced is kept as backup {PreRestoreBackup}", owned.LivePath, published);
        if (published is not null)
        {
            // After the gate opened: removing a rotated-out gigabyte took 0.2 s, which requests no longer wait for.
            backups.RecordPublished(entry, keepAlso: restoring);
            var hashing = Task.Run(() => SqliteFile.Sha256Of(entry.BackupPath), CancellationToken.None);
            _ = RecordCheckAsync(hashing, oldFileCheck, entry);
        }

        return new SwapOutcome(published);
    }

    /// <summary>On another file system (a separately mounted backups directory) a rename cannot replace the file.</summary>
    private void Decline(string prepared, Exception ex)
    {
        logger.LogWarning("Cannot swap {PreparedPath} in for {DatabasePath} ({Reason}); restoring through the online backup API instead",
            prepared, dataDirectory.DatabasePath, ex.Message);
    }

    /// <summary>The pre-restore backup's sha256 goes into its sidecar once taken, then "verified" when quick_check passed.</summary>
    private async Task RecordCheckAsync(Task<string> hashing, Task<string?> check, BackupEntry preRestore)
    {
        try
        {
            var sha256 = await hashing;
            catalog.RecordLateCheck(preRestore, sha256, await check);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not record the sha256 and quick_check of pre-restore backup {BackupName}: {Reason}", preRestore.Name, ex.Message);
        }
    }
}
