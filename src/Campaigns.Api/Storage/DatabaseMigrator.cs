using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Campaigns.Api.Storage;

/// <summary>
/// Applies pending EF Core migrations one at a time so each step is logged by name before and after. On PostgreSQL,
/// replicas starting together take turns (advisory lock), so a schema is only ever created once.
/// </summary>
public sealed class DatabaseMigrator(CampaignsDbContext db, ILogger<DatabaseMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var migrationLock = await DatabaseLocks.AcquireForSessionAsync(db.Database, DatabaseLocks.Migrations, "schema migration", logger, cancellationToken);

        // EF reads the history table without checking it exists and logs that failure as an error on every new
        // database (dotnet/efcore#37328); creating it first keeps a first deploy's log free of false alarms.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            logger.LogInformation("Database schema is up to date at migration {Migration}",
                (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "(none)");
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
}
