using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Campaigns.Api.Storage;

/// <summary>
/// Applies pending EF Core migrations one at a time so each step is logged by name before and after. On PostgreSQL,
/// replicas starting together take turns (advisory lock), so a schema is only ever created once. A start asks
/// <see cref="LiveSchema"/> first and comes here only when something is pending.
/// </summary>
public sealed class DatabaseMigrator(CampaignsDbContext db, ILogger<DatabaseMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var provider = db.Database.IsSqlite() ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql;
        var applied = await ReadAppliedAsync(cancellationToken);
        if (LiveSchema.Pending(provider, applied).Count == 0)
        {
            LogUpToDate(logger, applied);
            return [];
        }

        await using var migrationLock = await DatabaseLocks.AcquireForSessionAsync(db.Database, DatabaseLocks.Migrations, "schema migration", logger, cancellationToken);

        // EF reads the history table without checking it exists and logs that failure as an error on every new
        // database (dotnet/efcore#37328); creating it first keeps a first deploy's log free of false alarms.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        // Asked again under the lock: another replica may have migrated while this one waited.
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            LogUpToDate(logger, await ReadAppliedAsync(cancellationToken));
            return pending;
        }

        var migrator = db.GetService<IMigrator>();
        foreach (var migration in pending)
        {
            logger.LogInformation("Applying migration {Migration}", migration);
            await migrator.MigrateAsync(migration, cancellationToken);
            logger.LogInformation("Applied migration {Migration}", migration);
        }

        return pending;
    }

    public static void LogUpToDate(ILogger logger, IReadOnlySet<string> applied) =>
        logger.LogInformation("Database schema is up to date at migration {Migration}", LiveSchema.Newest(applied) ?? "(none)");

    private async Task<IReadOnlySet<string>> ReadAppliedAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await LiveSchema.ReadAppliedAsync(db.Database.GetDbConnection(), cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
