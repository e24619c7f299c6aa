using System.Data.Common;
using Campaigns.Api.Common;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Backups;

public sealed record BackupAttempt(DateTimeOffset At, BackupTrigger Trigger, string? Name, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Takes a backup of the live database: a checked copy (<see cref="SqliteBackupCopy"/>, or on PostgreSQL the portable
/// snapshot, <see cref="SnapshotBackupCopy"/>), published by <see cref="BackupPublisher"/> with its sidecar, then
/// rotation. One at a time in this process; the last attempt is kept for /health.
/// </summary>
public sealed class BackupService(
    DatabaseTarget database,
    BackupPublisher publisher,
    SqliteBackupCopy sqliteCopy,
    SnapshotBackupCopy snapshotCopy,
    BackupRotation rotation,
    TimeProvider time,
    ILogger<BackupService> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BackupAttempt? _lastAttempt;

    public BackupAttempt? LastAttempt => Volatile.Read(ref _lastAttempt);

    /// <summary>Backs up the live database; throws <see cref="BackupFailedException"/> after logging and removing any partial file.</summary>
    /// <param name="keepAlso">A backup rotation must not remove (the one a restore is about to copy).</param>
    public async Task<BackupEntry> CreateAsync(BackupTrigger trigger, CancellationToken cancellationToken = default, string? keepAlso = null)
    {
        using var _ = await HoldAsync(cancellationToken);
        try
        {
            var entry = await WriteAsync(trigger, cancellationToken);
            RecordPublished(entry, keepAlso);
            return entry;
        }
        catch (BackupFailedException ex)
        {
            RecordFailed(trigger, ex);
            throw;
        }
    }

    /// <summary>For startup: a failed backup is logged and reported by /health, and the service keeps serving.</summary>
    public async Task<BackupEntry?> TryCreateAsync(BackupTrigger trigger, CancellationToken cancellationToken = default)
    {
        try
        {
            return await CreateAsync(trigger, cancellationToken);
        }
        catch (BackupFailedException)
        {
            return null;
        }
    }

    /// <summary>The pre-restore backup of a restore that copies over the live database: null when there is nothing to keep.</summary>
    public async Task<string?> CreatePreRestoreAsync(bool keepOld, string restoring, CancellationToken cancellationToken) =>
        keepOld ? (await CreateAsync(BackupTrigger.PreRestore, cancellationToken, keepAlso: restoring)).Name : null;

    /// <summary>No other backup runs in this process until the result is disposed (a restore publishing the old file as one).</summary>
    public async Task<IDisposable> HoldAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Release(_gate);
    }

    /// <summary>A backup someone published (this service, or a restore keeping the old file): /health sees it, rotation runs.</summary>
    public void RecordPublished(BackupEntry entry, string? keepAlso)
    {
        Volatile.Write(ref _lastAttempt, new BackupAttempt(entry.CreatedAt, entry.Trigger, entry.Name, null));
        rotation.Rotate(keepAlso);
    }

    public void RecordFailed(BackupTrigger trigger, BackupFailedException failure) =>
        Volatile.Write(ref _lastAttempt, new BackupAttempt(time.GetUtcNow(), trigger, null, failure.Message));

    private async Task<BackupEntry> WriteAsync(BackupTrigger trigger, CancellationToken cancellationToken)
    {
        var snapshot = database.Provider == DatabaseProvider.PostgreSql;
        var reservation = publisher.Reserve(snapshot ? BackupNames.SnapshotExtension : BackupNames.Extension);
        var destination = reservation.BackupPath;
        logger.LogInformation("Backing up {DatabasePath} to {BackupPath} ({Trigger})", publisher.Source, destination, trigger.ToWire());
        try
        {
            var copy = snapshot
                ? await snapshotCopy.WriteAsync(reservation.TemporaryPath, cancellationToken)
                : await LowPriority.Run(() => sqliteCopy.Write(reservation.TemporaryPath), "campaigns-backup");
            var entry = publisher.WriteSidecar(reservation, trigger, copy);
            publisher.Publish(reservation, entry);
            return entry;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DbException or BackupFailedException or InvalidOperationException)
        {
            publisher.Discard(reservation);
            logger.LogError(ex is BackupFailedException ? null : ex, "Backup of {DatabasePath} to {BackupPath} failed ({Trigger}); the service keeps running: {Reason}",
                publisher.Source, destination, trigger.ToWire(), ex.Message);
            throw ex as BackupFailedException ?? new BackupFailedException($"Backup of {publisher.Source} to {destination} failed: {ex.Message}", ex);
        }
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
