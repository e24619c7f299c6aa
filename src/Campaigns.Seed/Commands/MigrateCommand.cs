using System.CommandLine;
using System.Data.Common;
using Campaigns.Api.CampaignsApi;
using Campaigns.Api.Transfer;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Campaigns.Seed.Progress;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Campaigns.Seed.Commands;

/// <summary>
/// <c>migrate --from campaigns.db --to postgresql://...</c>: moves a SQLite deployment's data to PostgreSQL. Safe to
/// run again (matched by key), and <c>--dry-run</c> shows what would change without changing anything.
/// </summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from")
        {
            Description = "What to copy from: a SQLite database file (campaigns.db, or a .sqlite backup) or a JSON snapshot (.json: a .snapshot.json backup or an `export`).",
            Required = true,
        };
        var to = new Option<string?>("--to") { Description = "The PostgreSQL URL to copy into (postgresql://user:password@host:port/database?sslmode=require). Default: $DATABASE_URL." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be inserted, updated and skipped, and change nothing." };
        var command = new Command("migrate", "Copy campaigns and seed history from a SQLite database or a JSON snapshot into PostgreSQL, idempotently (by campaign key).")
        {
            from, to, dryRun,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(from)!,
            parse.GetValue(to) ?? Environment.GetEnvironmentVariable(DatabaseTarget.UrlVariable),
            parse.GetValue(dryRun),
            Console.Out,
            Console.Error,
            ProgressDisplay.For(Console.Error),
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string from, string? to, bool dryRun, TextWriter output, TextWriter error, ProgressDisplay? progress = null, CancellationToken cancellationToken = default)
    {
        progress ??= new ProgressDisplay(error, terminal: false);
        var sourcePath = Path.GetFullPath(from);
        if (!File.Exists(sourcePath))
        {
            error.WriteLine($"--from: {sourcePath} does not exist.");
            return ExitCodes.InvalidInput;
        }

        if (string.IsNullOrWhiteSpace(to))
        {
            error.WriteLine($"--to: give the PostgreSQL URL, or set {DatabaseTarget.UrlVariable}.");
            return ExitCodes.InvalidInput;
        }

        DatabaseTarget target;
        try
        {
            target = DatabaseTarget.PostgreSql(DatabaseTarget.ParsePostgres(to, "--to"), "--to");
        }
        catch (InvalidDatabaseSettingException ex)
        {
            error.WriteLine(ex.Message);
            return ExitCodes.InvalidInput;
        }

        try
        {
            var (campaigns, history) = sourcePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? ReadSnapshot(sourcePath)
                : await ReadSqliteAsync(sourcePath, cancellationToken);
            output.WriteLine($"Read {campaigns.Count} campaigns and {history.Count} seed history entries from {sourcePath}");
            output.WriteLine($"{(dryRun ? "Dry run against" : "Copying into")} PostgreSQL at {target.Location}");

            await using var db = new PostgresCampaignsDbContext(
                new DbContextOptionsBuilder<PostgresCampaignsDbContext>().UseNpgsql(target.ConnectionString).Options);
            if (!await PrepareSchemaAsync(db, dryRun, output, cancellationToken))
            {
                var empty = new TableCounts(campaigns.Count, campaigns.Count, 0, 0, 0);
                Print(new ImportReport(empty, new TableCounts(history.Count, history.Count, 0, 0, 0), [], DryRun: true), output);
                return ExitCodes.Ok;
            }

            var total = campaigns.Count + history.Count;
            var report = await progress.RunAsync(dryRun ? "migrate (dry run)" : "migrate", ProgressUnit.Rows, rows =>
                new CampaignImporter(db, new SyncProgress<ImportProgress>(p => rows.Report(((p.Table == "campaigns" ? 0 : campaigns.Count) + p.Done, total))))
                    .ImportAsync(campaigns, history, dryRun, cancellationToken));

            Print(report, output);
            foreach (var problem in report.Errors)
            {
                error.WriteLine($"  error: {problem}");
            }

            return report.Failed ? ExitCodes.Failed : ExitCodes.Ok;
        }
        catch (SnapshotFormatException ex)
        {
            error.WriteLine($"--from: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or DbUpdateException or TimeoutException)
        {
            // Npgsql messages name the host and database at most, never the password.
            error.WriteLine($"migrate failed: {ConnectionErrors.Describe(ex, target) ?? ex.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Applies the schema (logged step by step), or in a dry run only checks it; false when a dry run finds no schema yet.</summary>
    private static async Task<bool> PrepareSchemaAsync(PostgresCampaignsDbContext db, bool dryRun, TextWriter output, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            var pending = db.Database.GetMigrations().Except(await AppliedMigrationsAsync(db, cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                output.WriteLine($"The target has no (or an older) schema; migrations {string.Join(", ", pending)} would be applied first, and every row inserted.");
                return false;
            }

            return true;
        }

        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning));
        await new DatabaseMigrator(db, logging.CreateLogger<DatabaseMigrator>()).MigrateAsync(cancellationToken);
        return true;
    }

    private static async Task<IReadOnlyList<string>> AppliedMigrationsAsync(PostgresCampaignsDbContext db, CancellationToken cancellationToken)
    {
        var history = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>();
        return await history.ExistsAsync(cancellationToken)
            ? (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(m => m.MigrationId).ToList()
            : [];
    }

    /// <summary>The same reader and checks as the API's restore; retired campaigns are copied like any other (the API's startup removes them).</summary>
    private static (List<Campaign>, List<SeedHistoryEntry>) ReadSnapshot(string path)
    {
        var validator = new CampaignRequestValidator(new CanonicalSeedSource(
            Options.Create(new SeedingOptions()), TimeProvider.System, NullLogger<CanonicalSeedSource>.Instance));
        var snapshot = CampaignSnapshotFile.Read(path, validator);
        return ([.. snapshot.Campaigns.Select(c => c.ToEntity())], [.. snapshot.SeedHistory.Select(h => h.ToEntity())]);
    }

    private static async Task<(List<Campaign>, List<SeedHistoryEntry>)> ReadSqliteAsync(string path, CancellationToken cancellationToken)
    {
        // Read-only: the source is never changed, even by a pending migration.
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var source = new SqliteCampaignsDbContext(new DbContextOptionsBuilder<SqliteCampaignsDbContext>().UseSqlite(connection).Options);
        var campaigns = await source.Campaigns.AsNoTracking().OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var history = await source.SeedHistory.AsNoTracking().OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return (campaigns, history);
    }

    private static void Print(ImportReport report, TextWriter output)
    {
        var verb = report.DryRun ? "would be " : "";
        output.WriteLine(report.DryRun ? "Dry run: nothing was changed." : "Done.");
        foreach (var (table, counts) in new[] { ("campaigns", report.Campaigns), ("seed history", report.SeedHistory) })
        {
            output.WriteLine(
                $"  {table}: read {counts.Read}, {verb}inserted {counts.Inserted}, {verb}updated {counts.Updated}, skipped {counts.Skipped} (unchanged), errors {counts.Errors}");
        }
    }
}
