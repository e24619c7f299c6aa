using Campaigns.Api.Common;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Seeding;

/// <summary>
/// The database a new volume starts from. The image build makes it (<c>campaigns-seed seed-template</c>) with the same
/// migrations and canonical top-up a first start runs, so a first start copies a small file instead of paying for
/// EF Core's first use, which was most of that start's downtime (issue 12). A start uses it only when it was built from
/// the canonical file this start reads and by this build's migrations; otherwise the start builds the database itself,
/// exactly as it does when there is no template (<c>dotnet run</c>, tests).
/// </summary>
public sealed class SeedTemplate(
    IOptions<SeedingOptions> options,
    CanonicalSeedSource seed,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<SeedTemplate> logger)
{
    public const string StagingExtension = ".from-template";

    public string FilePath => options.Value.ResolveTemplateFile();

    /// <summary>
    /// Puts a copy of the template at <paramref name="databasePath"/> (which must not exist), stamped with this start's
    /// time as if this start had inserted the campaigns. False, with the reason logged, when there is no usable template.
    /// </summary>
    public bool TryPlace(string databasePath)
    {
        var template = FilePath;
        if (!File.Exists(template))
        {
            logger.LogDebug("No seed template at {TemplatePath}; the start builds the new database itself", template);
            return false;
        }

        var staging = databasePath + StagingExtension;
        try
        {
            File.Copy(template, staging, overwrite: true);
            using (var connection = SqliteFile.Open(staging, SqliteOpenMode.ReadWrite, storage.Value.BusyTimeoutSeconds))
            {
                if (Unusable(connection) is { } reason)
                {
                    return NotUsed(template, reason);
                }

                Stamp(connection, time.GetUtcNow().UtcDateTime);
            }

            AtomicFile.FlushToDisk(staging);
            File.Move(staging, databasePath);
            logger.LogInformation("Started the new database {DatabasePath} from the seed template {TemplatePath} (canonical file {FileSha256}, schema at {Migration})",
                databasePath, template, seed.LastLoad?.Sha256, LiveSchema.Known(DatabaseProvider.Sqlite)[^1]);
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            return NotUsed(template, ex.Message);
        }
        finally
        {
            AtomicFile.TryDelete(staging, out _);
        }
    }

    private bool NotUsed(string template, string reason)
    {
        logger.LogWarning("Seed template {TemplatePath} not used ({Reason}); the start builds the new database itself", template, reason);
        return false;
    }

    /// <summary>
    /// Builds a template at <paramref name="outputPath"/> through a new, empty data directory's services: the migrator,
    /// the top-up a first start runs, then one compact copy. Nothing is written when the canonical file is unusable
    /// (the summary says why).
    /// </summary>
    public static async Task<TopUpSummary> BuildAsync(IServiceProvider services, string outputPath, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<DataDirectory>().DatabasePath;
        SqliteFile.CreateInWalMode(database);

        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        var summary = await services.GetRequiredService<CanonicalTopUp>().RunAsync(SeedTrigger.Startup, cancellationToken);
        if (!summary.Applied)
        {
            return summary;
        }

        var temporary = outputPath + AtomicFile.TemporaryExtension;
        AtomicFile.TryDelete(temporary, out _);
        SqliteFile.VacuumInto(database, temporary);
        File.Move(temporary, outputPath, overwrite: true);
        return summary;
    }

    /// <summary>Null when the copy is sound and is what this build would make from this canonical file.</summary>
    private string? Unusable(SqliteConnection connection)
    {
        var check = SqliteFile.Check(connection, quick: true);
        if (check != "ok")
        {
            return $"quick_check: {check}";
        }

        if (!SqliteFile.HasCampaignsTable(connection) || !SqliteFile.HasTable(connection, "seed_history") || !SqliteFile.HasTable(connection, "__EFMigrationsHistory"))
        {
            return "it holds no campaigns schema";
        }

        var applied = SqliteFile.Column(connection, """SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY "MigrationId";""");
        var known = LiveSchema.Known(DatabaseProvider.Sqlite);
        if (!applied.SequenceEqual(known, StringComparer.Ordinal))
        {
            return $"its schema is at {applied.LastOrDefault() ?? "(none)"}, this build's at {known[^1]}";
        }

        var load = seed.LastLoad ?? seed.Load();
        if (!load.IsValid)
        {
            return "the canonical file is unusable";
        }

        var builtFrom = SqliteFile.Column(connection, """SELECT "FileSha256" FROM seed_history;""");
        return builtFrom.Count == 1 && builtFrom[0] == load.Sha256
            ? null
            : $"it was built from canonical file {string.Join(", ", builtFrom)}, this start reads {load.Sha256}";
    }

    /// <summary>The campaigns and their seed history entry read as inserted by this start, as a start without a template records them.</summary>
    private static void Stamp(SqliteConnection connection, DateTime now)
    {
        using var transaction = connection.BeginTransaction();
        foreach (var sql in new[]
        {
            """UPDATE campaigns SET "CreatedAt" = $now, "UpdatedAt" = $now;""",
            """UPDATE seed_history SET "At" = $now, "Trigger" = $trigger;""",
        })
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$trigger", SeedTrigger.Startup.ToWire());
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
