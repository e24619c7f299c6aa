using Campaigns.Api.Backups;
using Campaigns.Api.OffSite;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Doctor;

/// <summary>What to check: an explicit data directory (the CLI's --data-dir), the environment to judge by, whether to drill now.</summary>
public sealed record DoctorRequest(bool RunDrill, string? EnvironmentName = null, string? DataDirectory = null);

/// <summary>
/// "Will my data survive the next deploy?": the storage checks the service's start also runs, then the database, the
/// seed and the backups. One code path for the CLI's <c>doctor</c>, <c>GET /api/admin/doctor</c> and the dashboard.
/// </summary>
public sealed class DoctorService(
    DataDirectory dataDirectory,
    DatabaseTarget database,
    IConfiguration configuration,
    IHostEnvironment environment,
    IOptions<StorageOptions> storage,
    IOptions<BackupOptions> backupOptions,
    IServiceScopeFactory scopes,
    BackupCatalog catalog,
    CanonicalSeedSource seed,
    RestoreDrill drill,
    IOptions<OffSiteOptions> offSiteOptions,
    OffSiteStore offSiteStore,
    OffSiteHistory offSiteHistory,
    TimeProvider time)
{
    public const string DataDirectoryOptionName = "--data-dir";

    public async Task<DoctorReport> RunAsync(DoctorRequest request, CancellationToken cancellationToken = default)
    {
        var findings = new List<DoctorFinding>();
        var environmentName = request.EnvironmentName ?? environment.EnvironmentName;
        var production = string.Equals(environmentName, Environments.Production, StringComparison.OrdinalIgnoreCase);
        var directory = request.DataDirectory is { } explicitPath
            ? new DataDirectory(Path.GetFullPath(explicitPath), DataDirectoryOptionName)
            : dataDirectory;

        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var settings = StorageCheckSettings.From(configuration, production, storage.Value.AllowEphemeral, backupOptions.Value.Keep);
            findings.AddRange(StorageChecks.Run(directory, settings, time).Findings);
        }
        else
        {
            findings.Add(DoctorFinding.Ok(StorageChecks.DataDirectoryCheck,
                $"The data lives in PostgreSQL ({database.ChosenBy}); backups are kept in {directory.BackupsPath}."));
        }

        var load = seed.Load();
        var expected = load.Seed is { } canonical ? seed.ExpectedActive(canonical) : 0;
        var backups = catalog.List();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>();
            findings.AddRange(database.Provider == DatabaseProvider.Sqlite
                ? DatabaseChecks.Sqlite(directory.DatabasePath, db, expected, backups.Count > 0, storage.Value.BusyTimeoutSeconds)
                : await DatabaseChecks.PostgresAsync(database, db, expected, cancellationToken));
        }

        findings.Add(DatabaseChecks.Seed(load, expected));

        var drilled = request.RunDrill ? await drill.RunOnNewestAsync(cancellationToken) : null;
        var now = time.GetUtcNow();
        var schedule = CronSchedule.Parse(backupOptions.Value.Schedule);
        findings.AddRange(BackupChecks.Run(catalog.List(), catalog.LastKnownGood(expected), schedule, drilled, now));
        findings.AddRange(await OffSiteChecks.RunAsync(offSiteOptions.Value, database, offSiteStore, offSiteHistory, schedule, production, now, cancellationToken));
        return new DoctorReport(now, findings);
    }
}
