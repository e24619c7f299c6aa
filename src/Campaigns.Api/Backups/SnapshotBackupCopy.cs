using System.Data;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Campaigns.Api.Transfer;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Backups;

/// <summary>
/// A PostgreSQL backup's bytes: the portable JSON snapshot (campaigns and seed history), read in one repeatable-read
/// transaction under an advisory lock so replicas back up one at a time, then read back and checked.
/// </summary>
public sealed class SnapshotBackupCopy(IServiceScopeFactory scopes, BackupVerifier verifier, ILogger<SnapshotBackupCopy> logger)
{
    public async Task<CheckedCopy> WriteAsync(string temporary, CancellationToken cancellationToken)
    {
        CampaignSnapshot snapshot;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await DatabaseLocks.AcquireForTransactionAsync(db.Database, DatabaseLocks.Backup, "backup", logger, cancellationToken);
            snapshot = await scope.ServiceProvider.GetRequiredService<CampaignSnapshotService>().ExportAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        CampaignSnapshotFile.Write(temporary, snapshot);
        var problem = verifier.CheckSnapshot(temporary, out var contents);
        return problem is null
            ? new CheckedCopy(contents!, SqliteFile.Sha256Of(temporary))
            : throw new BackupFailedException($"The snapshot failed verification: {problem}");
    }
}
