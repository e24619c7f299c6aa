using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Storage;
using Campaigns.Api.Transfer;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Restores;

/// <summary>A snapshot backup (PostgreSQL's kind): verified, a pre-restore backup, then its rows replace what is there, all or nothing.</summary>
public sealed class SnapshotRestore(
    IServiceScopeFactory scopes, BackupCatalog catalog, BackupVerifier verifier, BackupService backups, PreparedCopy refusals,
    IValidator<CampaignRequest> validator, ILogger<SnapshotRestore> logger)
{
    /// <returns>The pre-restore backup's name, null when <paramref name="keepOld"/> is false.</returns>
    public async Task<string?> RestoreAsync(BackupEntry entry, bool keepOld, CancellationToken cancellationToken)
    {
        if (verifier.Verify(entry) is { Ok: false, Problem: var problem })
        {
            throw refusals.Refuse(entry, problem!);
        }

        var preRestore = await backups.CreatePreRestoreAsync(keepOld, entry.Name, cancellationToken);
        await ReplaceAsync(catalog.PathOf(entry.Name), cancellationToken);
        return preRestore;
    }

    /// <summary>The snapshot's campaigns (with their ids) and seed history replace what is there, in one transaction.</summary>
    private async Task ReplaceAsync(string path, CancellationToken cancellationToken)
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
}
