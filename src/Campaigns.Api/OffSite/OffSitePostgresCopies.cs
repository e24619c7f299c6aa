using System.IO.Compression;
using Campaigns.Api.Backups;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// On PostgreSQL the platform's database backups are primary and there is no journal (sync mode is SQLite's): each
/// scheduled or on-demand backup, the portable JSON snapshot, goes off-site gzip-compressed under
/// <c>{prefix}postgres/snapshots/</c>, sha256 in its metadata, read back and compared. Replicas take turns (a PostgreSQL
/// advisory lock held for the upload), and the same retention as SQLite snapshots applies.
/// </summary>
public sealed class OffSitePostgresCopies(
    IOptions<OffSiteOptions> options,
    DatabaseTarget database,
    IServiceScopeFactory scopes,
    BackupCatalog catalog,
    OffSiteStore store,
    OffSiteLayout layout,
    OffSiteHistory history,
    OffSiteStatus status,
    TimeProvider time,
    ILogger<OffSitePostgresCopies> logger)
{
    public bool Enabled => options.Value.Enabled && database.Provider == DatabaseProvider.PostgreSql;

    /// <summary>Uploads a PostgreSQL backup; a store that fails is logged and shown in /health, and the backup itself stands.</summary>
    public async Task<OffSitePoint?> UploadAsync(BackupEntry backup, CancellationToken cancellationToken)
    {
        if (!Enabled || !BackupNames.IsSnapshot(backup.Name))
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>();
        await using var turn = await DatabaseLocks.AcquireForSessionAsync(db.Database, DatabaseLocks.OffSiteUpload, "off-site upload", logger, cancellationToken);
        try
        {
            var body = Compress(await File.ReadAllBytesAsync(catalog.PathOf(backup.Name), cancellationToken));
            var key = layout.SnapshotKey(OffSiteLayout.PostgresLineage, backup.CreatedAt.UtcTicks);
            await store.PutAsync(key, body, cancellationToken, new Dictionary<string, string> { ["backup"] = backup.Name });
            if (!(await store.GetAsync(key, cancellationToken)).AsSpan().SequenceEqual(body))
            {
                throw new OffSiteStoreException($"Snapshot {key} read back from {store.Name} differs from what was uploaded.");
            }

            status.Snapshotted(key);
            logger.LogInformation("Off-site snapshot {OffSiteKey} of backup {BackupName} stored in {OffSiteStore}: {SizeBytes} bytes compressed",
                key, backup.Name, store.Name, body.Length);
            await ApplyRetentionAsync(cancellationToken);
            return new OffSitePoint(OffSiteLayout.PostgresLineage, OffSitePointKind.Snapshot, backup.CreatedAt.UtcTicks, key, body.Length);
        }
        catch (OffSiteStoreException ex)
        {
            status.Failed(ex.Message);
            logger.LogError("Backup {BackupName} did not go off-site to {OffSiteStore}; it is kept locally: {Reason}", backup.Name, store.Name, ex.Message);
            return null;
        }
    }

    private async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var kept = await history.ReadAsync(OffSiteLayout.PostgresLineage, cancellationToken);
        var doomed = OffSiteRetention.Doomed([kept], time.GetUtcNow(), options.Value.Retention);
        if (doomed.Count > 0)
        {
            await store.DeleteAsync(doomed, cancellationToken);
            logger.LogInformation("Off-site retention removed {Removed} PostgreSQL snapshots from {OffSiteStore}", doomed.Count, store.Name);
        }
    }

    /// <summary>The newest PostgreSQL snapshot, downloaded (its sha256 checked) into a plain JSON file at <paramref name="path"/>; null when there is none.</summary>
    public async Task<OffSitePoint?> DownloadNewestAsync(string path, CancellationToken cancellationToken)
    {
        var newest = (await history.ReadAsync(OffSiteLayout.PostgresLineage, cancellationToken)).Snapshots.LastOrDefault();
        if (newest is null)
        {
            return null;
        }

        using var gzip = new GZipStream(new MemoryStream(await store.GetAsync(newest.Key, cancellationToken)), CompressionMode.Decompress);
        await using var file = File.Create(path);
        await gzip.CopyToAsync(file, cancellationToken);
        return newest;
    }

    private static byte[] Compress(byte[] json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return buffer.ToArray();
    }
}
