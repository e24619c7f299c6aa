using Campaigns.Api.Backups;
using Campaigns.Api.Seeding;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Campaigns.Api.Doctor;

/// <summary>Is the database sound, at the schema this build expects, holding the campaigns it should; is the seed usable.</summary>
public static class DatabaseChecks
{
    public const string DatabaseCheck = "database";
    public const string SchemaCheck = "schema";
    public const string CampaignsCheck = "campaigns";
    public const string SeedCheck = "seed";
    public const string PostgresCheck = "postgresql";

    public static IReadOnlyList<DoctorFinding> Sqlite(string databasePath, CampaignsDbContext db, int expectedActive, bool backupsExist, int busyTimeoutSeconds)
    {
        if (!File.Exists(databasePath))
        {
            return
            [
                DoctorFinding.Warning(DatabaseCheck,
                    backupsExist
                        ? $"There is no database at {databasePath}, but there are backups: the next start restores the newest good one."
                        : $"There is no database at {databasePath} yet: the next start creates it with the canonical campaigns.",
                    "Nothing to do on a first deploy; otherwise check that the data directory above is where the data was."),
            ];
        }

        SqliteContents? contents;
        try
        {
            using var connection = SqliteFile.Open(databasePath, SqliteOpenMode.ReadOnly, busyTimeoutSeconds);
            var check = SqliteFile.Check(connection, quick: true);
            if (check != "ok")
            {
                return [Corrupt(databasePath, $"quick_check: {check}")];
            }

            contents = SqliteFile.Inspect(connection);
        }
        catch (SqliteException ex)
        {
            return [Corrupt(databasePath, ex.Message)];
        }

        List<DoctorFinding> findings = [DoctorFinding.Ok(DatabaseCheck, $"{databasePath} passes quick_check.")];
        findings.Add(Schema(contents?.SchemaVersion ?? "", db.Database.GetMigrations().ToList()));
        findings.Add(Campaigns(contents?.ActiveCampaigns ?? 0, expectedActive));
        return findings;
    }

    public static async Task<IReadOnlyList<DoctorFinding>> PostgresAsync(DatabaseTarget target, CampaignsDbContext db, int expectedActive, CancellationToken cancellationToken)
    {
        var where = $"host {target.Host}:{target.Port}, database {target.Database} (chosen by {target.ChosenBy})";
        string version;
        try
        {
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            version = connection.PostgreSqlVersion.ToString();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return
            [
                DoctorFinding.AtRisk(PostgresCheck, $"Cannot connect to PostgreSQL at {where}: {ex.Message}",
                    $"Check {target.ChosenBy} (host, database, user and password) and that the server accepts connections from here."),
            ];
        }

        List<DoctorFinding> findings = [DoctorFinding.Ok(PostgresCheck, $"Connected to PostgreSQL {version} at {where}.")];
        try
        {
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "";
            findings.Add(Schema(applied, db.Database.GetMigrations().ToList()));
            findings.Add(Campaigns(applied.Length == 0 ? 0 : await db.Campaigns.CountAsync(c => c.Active, cancellationToken), expectedActive));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            findings.Add(DoctorFinding.AtRisk(SchemaCheck, $"The schema cannot be read: {ex.Message}", "Check the database user's rights on the campaigns tables."));
        }

        return findings;
    }

    public static DoctorFinding Seed(SeedLoadResult load, int expectedActive) => load.IsValid
        ? DoctorFinding.Ok(SeedCheck, $"Canonical seed {load.Path} is valid: version {load.Seed!.Version}, {expectedActive} campaigns expected active.")
        : DoctorFinding.Warning(SeedCheck,
            $"The canonical seed {load.Path} has {load.Problems.Count} problem(s) ({string.Join("; ", load.Problems.Take(3))}): lost campaigns cannot be restored from it.",
            "Run `campaigns-seed validate` and fix the file before the next deploy.");

    private static DoctorFinding Corrupt(string databasePath, string problem) =>
        DoctorFinding.AtRisk(DatabaseCheck, $"{databasePath} is damaged ({problem}).",
            "Start the service (it moves the file to quarantine/ and restores the newest good backup) or run `campaigns-seed restore latest`.");

    private static DoctorFinding Schema(string applied, IReadOnlyList<string> known)
    {
        var latest = known.LastOrDefault() ?? "";
        if (applied == latest)
        {
            return DoctorFinding.Ok(SchemaCheck, $"The schema is up to date at migration {latest}.");
        }

        if (applied.Length > 0 && !known.Contains(applied))
        {
            return DoctorFinding.AtRisk(SchemaCheck,
                $"The database is at migration {applied}, which this build does not know: it was written by a newer version.",
                "Deploy the version that wrote it (or newer); an older build must not run on this database.");
        }

        var pending = known.SkipWhile(m => applied.Length > 0 && string.CompareOrdinal(m, applied) <= 0).Count();
        return DoctorFinding.Warning(SchemaCheck,
            $"{pending} migration(s) pending (database at {(applied.Length == 0 ? "no migration" : applied)}, this build at {latest}).",
            "Nothing to do: the next start backs up the database, then applies them one by one.");
    }

    private static DoctorFinding Campaigns(int active, int expectedActive) => active >= expectedActive
        ? DoctorFinding.Ok(CampaignsCheck, $"{active} active campaigns, {expectedActive} expected.")
        : DoctorFinding.Warning(CampaignsCheck, $"Only {active} of {expectedActive} expected campaigns are active.",
            "The next start restores the missing ones (from the newest good backup if the data was lost, then from the canonical seed).");
}
