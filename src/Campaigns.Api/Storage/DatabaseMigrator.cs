using System.Data.Common;
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
    private const string HistoryTable = "__EFMigrationsHistory";

    /// <summary>
    /// The migrations this build knows that the database has not applied, read with two plain commands. EF's own history
    /// repository builds a model and generates its DDL first: a quarter of a second of every start, which a normal
    /// redeploy (nothing to migrate) does not need.
    /// </summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken = default) =>
        Pending(await ReadAppliedAsync(cancellationToken));

    /// <summary>The newest applied migration ("" on a new database), for /health and the snapshots.</summary>
    public async Task<string> SchemaVersionAsync(CancellationToken cancellationToken = default) =>
        Newest(await ReadAppliedAsync(cancellationToken)) ?? "";

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await ReadAppliedAsync(cancellationToken);
        if (Pending(applied).Count == 0)
        {
            LogUpToDate(applied);
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
            LogUpToDate(await ReadAppliedAsync(cancellationToken));
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

    private List<string> Pending(IReadOnlySet<string> applied) =>
        db.GetService<IMigrationsAssembly>().Migrations.Keys.Where(id => !applied.Contains(id)).Order(StringComparer.Ordinal).ToList();

    private static string? Newest(IReadOnlySet<string> applied) => applied.Order(StringComparer.Ordinal).LastOrDefault();

    private void LogUpToDate(IReadOnlySet<string> applied) =>
        logger.LogInformation("Database schema is up to date at migration {Migration}", Newest(applied) ?? "(none)");

    private async Task<IReadOnlySet<string>> ReadAppliedAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = db.Database.IsSqlite()
                ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{HistoryTable}'"
                : $"SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '{HistoryTable}' AND schemaname = current_schema()";
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) == 0)
            {
                return new HashSet<string>();
            }

            command.CommandText = $"SELECT \"MigrationId\" FROM \"{HistoryTable}\"";
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }

            return applied;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
