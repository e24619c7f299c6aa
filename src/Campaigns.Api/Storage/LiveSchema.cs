using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Campaigns.Api.Storage;

/// <summary>
/// Which migrations the live database has applied, and which of this build's it has not: read with plain commands, and
/// this build's list taken from the <c>[Migration]</c> classes of the provider's context, as EF would. EF's history
/// repository would first build its internal services and a model for the history table, which a redeploy with nothing
/// to migrate does not need before it serves.
/// </summary>
public sealed class LiveSchema(LiveDatabaseConnections connections)
{
    private const string HistoryTable = "__EFMigrationsHistory";

    public Task<IReadOnlySet<string>> AppliedAsync(CancellationToken cancellationToken) =>
        connections.ReadAsync(ReadAppliedAsync, cancellationToken);

    /// <summary>The newest applied migration ("" on a new database), for /health and the snapshots.</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken) =>
        Newest(await AppliedAsync(cancellationToken)) ?? "";

    public static IReadOnlyList<string> Pending(DatabaseProvider provider, IReadOnlySet<string> applied) =>
        Known(provider).Where(id => !applied.Contains(id)).ToList();

    public static string? Newest(IReadOnlySet<string> applied) => applied.Order(StringComparer.Ordinal).LastOrDefault();

    /// <summary>This build's migrations for the provider, oldest first.</summary>
    public static IReadOnlyList<string> Known(DatabaseProvider provider) =>
        provider == DatabaseProvider.PostgreSql ? PostgresMigrations.Value : SqliteMigrations.Value;

    // Listed, not found by scanning the assembly: its GetTypes() loads every type of the service (and the AWS SDK's
    // assemblies) on each start's path to ready (docs/benchmarks.md, issue 12). LiveSchemaTests checks each list
    // against the migrations EF itself finds, so a migration left out fails a test.
    private static readonly Lazy<string[]> SqliteMigrations = new(() => IdsOf(
        typeof(Migrations.Sqlite.InitialCreate), typeof(Migrations.Sqlite.IndexLowercaseName), typeof(Migrations.Sqlite.IndexListOrder)));

    private static readonly Lazy<string[]> PostgresMigrations = new(() => IdsOf(
        typeof(Migrations.Postgres.InitialCreate), typeof(Migrations.Postgres.IndexLowercaseName), typeof(Migrations.Postgres.IndexListOrder)));

    private static string[] IdsOf(params Type[] migrations) =>
        migrations.Select(m => m.GetCustomAttribute<MigrationAttribute>()!.Id).Order(StringComparer.Ordinal).ToArray();

    public static async Task<IReadOnlySet<string>> ReadAppliedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sqlite = connection is Microsoft.Data.Sqlite.SqliteConnection;
        var exists = sqlite
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{HistoryTable}'"
            : $"SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '{HistoryTable}' AND schemaname = current_schema()";
        var applied = new HashSet<string>(StringComparer.Ordinal);
        if (await LiveDatabaseConnections.ScalarAsync<long>(connection, exists, cancellationToken) == 0)
        {
            return applied;
        }

        await using var command = LiveDatabaseConnections.Command(connection, $"SELECT \"MigrationId\" FROM \"{HistoryTable}\"");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }
}
