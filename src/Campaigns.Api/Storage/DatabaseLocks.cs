using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Campaigns.Api.Storage;

/// <summary>
/// PostgreSQL advisory locks, so that several replicas on one database take turns at work that must run once at a
/// time (the startup top-up, a backup). On SQLite there is a single process per volume and one writer at a time, so
/// there is nothing to take.
/// </summary>
public static class DatabaseLocks
{
    // Arbitrary but fixed keys ("CAMP" + a number), shared by every process on the database.
    public const long CanonicalTopUp = 0x43414D50_0001;
    public const long Backup = 0x43414D50_0002;

    /// <summary>Takes the lock for the rest of the current transaction; waits (and says so) while another process holds it.</summary>
    public static async Task AcquireForTransactionAsync(DatabaseFacade database, long key, string purpose, ILogger logger, CancellationToken cancellationToken)
    {
        if (!database.IsNpgsql())
        {
            return;
        }

        if (database.CurrentTransaction is null)
        {
            throw new InvalidOperationException($"The {purpose} lock is held until the transaction ends, so it needs a transaction.");
        }

        var acquired = await database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({key}) AS \"Value\"").ToListAsync(cancellationToken);
        if (acquired[0])
        {
            return;
        }

        logger.LogInformation("Another instance is running the {LockPurpose}; waiting for it to finish", purpose);
        await database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", cancellationToken);
        logger.LogInformation("Took over the {LockPurpose} lock after the other instance finished", purpose);
    }
}
