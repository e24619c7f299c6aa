using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Campaigns.Api.Storage;

/// <summary>
/// PostgreSQL advisory locks, so that several replicas on one database take turns at work that must run once at a
/// time (migrations, the startup top-up, a backup). On SQLite there is a single process per volume and one writer at
/// a time, so there is nothing to take.
/// </summary>
public static class DatabaseLocks
{
    // Arbitrary but fixed keys ("CAMP" + a number), shared by every process on the database.
    public const long Migrations = 0x43414D50_0000;
    public const long CanonicalTopUp = 0x43414D50_0001;
    public const long Backup = 0x43414D50_0002;
    public const long HangfireSchema = 0x43414D50_0003;
    public const long OffSiteUpload = 0x43414D50_0004;

    /// <summary>
    /// Runs <paramref name="work"/> while holding the lock on a connection of its own, for work that does not go through
    /// EF Core (Hangfire.PostgreSql installs its schema in its constructor, and two replicas installing at once collide).
    /// </summary>
    public static T WithSessionLock<T>(string connectionString, long key, Func<T> work)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock($1)", connection))
        {
            take.Parameters.Add(new Npgsql.NpgsqlParameter { Value = key });
            take.ExecuteNonQuery();
        }

        // Closing the connection ends the session, which releases the lock even when the work throws.
        return work();
    }

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

        await TakeAsync(database, "pg_try_advisory_xact_lock", "pg_advisory_xact_lock", key, purpose, logger, cancellationToken);
    }

    /// <summary>
    /// Takes the lock on the context's connection (kept open) until the result is disposed, for work that spans
    /// several transactions, such as applying migrations.
    /// </summary>
    public static async Task<IAsyncDisposable> AcquireForSessionAsync(DatabaseFacade database, long key, string purpose, ILogger logger, CancellationToken cancellationToken)
    {
        if (!database.IsNpgsql())
        {
            return NoLock.Instance;
        }

        await database.OpenConnectionAsync(cancellationToken);
        await TakeAsync(database, "pg_try_advisory_lock", "pg_advisory_lock", key, purpose, logger, cancellationToken);
        return new SessionLock(database, key);
    }

#pragma warning disable EF1002 // The function names are our own constants; the key is a parameter.
    private static async Task TakeAsync(DatabaseFacade database, string tryFunction, string waitFunction, long key, string purpose, ILogger logger, CancellationToken cancellationToken)
    {
        var acquired = await database.SqlQueryRaw<bool>($"SELECT {tryFunction}({{0}}) AS \"Value\"", key).ToListAsync(cancellationToken);
        if (acquired[0])
        {
            return;
        }

        logger.LogInformation("Another instance is running the {LockPurpose}; waiting for it to finish", purpose);
        await database.ExecuteSqlRawAsync($"SELECT {waitFunction}({{0}})", [key], cancellationToken);
        logger.LogInformation("Took over the {LockPurpose} lock after the other instance finished", purpose);
    }
#pragma warning restore EF1002

    private sealed class SessionLock(DatabaseFacade database, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({key})");
            await database.CloseConnectionAsync();
        }
    }

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
