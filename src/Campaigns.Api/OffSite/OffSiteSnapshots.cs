using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// Compressed snapshots of the tracked tables, taken under the write lock (BEGIN IMMEDIATE: no commit can fall between
/// the rows read and the time the snapshot is stamped with), uploaded with their sha256 in the metadata, then read back
/// and compared byte for byte.
/// </summary>
public sealed class OffSiteSnapshots(
    DataDirectory dataDirectory,
    OffSiteStore store,
    OffSiteLayout layout,
    OffSiteLineage lineage,
    OffSiteClock clock,
    OffSiteStatus status,
    IOptions<StorageOptions> storage,
    ILogger<OffSiteSnapshots> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<OffSitePoint> TakeAsync(string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = lineage.Current;
            var snapshot = await Task.Run(() => Read(current), cancellationToken);
            var body = OffSiteRows.Encode(snapshot);
            var key = layout.SnapshotKey(current, snapshot.At.UtcTicks);
            try
            {
                await lineage.PublishAsync(current, cancellationToken);
                await store.PutAsync(key, body, cancellationToken);
                var back = await store.GetAsync(key, cancellationToken);
                if (!back.AsSpan().SequenceEqual(body))
                {
                    throw new OffSiteStoreException($"Snapshot {key} read back from {store.Name} differs from what was uploaded.");
                }
            }
            catch (OffSiteStoreException ex)
            {
                status.Failed(ex.Message);
                throw;
            }

            status.Snapshotted(key);
            lineage.Based(current);
            logger.LogInformation("Off-site snapshot {OffSiteKey} stored in {OffSiteStore} ({Reason}): {Campaigns} campaigns, {SizeBytes} bytes compressed",
                key, store.Name, reason, snapshot.Tables.GetValueOrDefault("campaigns")?.Count ?? 0, body.Length);
            return new OffSitePoint(current, OffSitePointKind.Snapshot, snapshot.At.UtcTicks, key, body.Length);
        }
        finally
        {
            _gate.Release();
        }
    }

    private OffSiteSnapshot Read(string current)
    {
        using var connection = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadWrite, storage.Value.BusyTimeoutSeconds);
        SqliteFile.Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            var tables = OffSiteRows.Tables.ToDictionary(t => t, t => OffSiteRows.ReadAll(connection, t));
            var ticks = clock.Next();
            return new OffSiteSnapshot(OffSiteSnapshot.FormatName, 1, current, new DateTimeOffset(ticks, TimeSpan.Zero), SchemaVersion(connection), tables);
        }
        finally
        {
            SqliteFile.Execute(connection, "ROLLBACK;");
        }
    }

    private static string SchemaVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId DESC LIMIT 1;";
        try
        {
            return command.ExecuteScalar() as string ?? "";
        }
        catch (SqliteException)
        {
            return "";
        }
    }
}
