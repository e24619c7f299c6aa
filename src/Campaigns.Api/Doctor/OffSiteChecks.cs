using System.Globalization;
using Campaigns.Api.Backups;
using Campaigns.Api.OffSite;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Doctor;

/// <summary>Does the data survive the loss of the volume itself: off-site copies configured, the store answering, a recent point there.</summary>
public static class OffSiteChecks
{
    public const string ConfiguredCheck = "offsite";
    public const string StoreCheck = "offsite-store";
    public const string NewestCheck = "offsite-newest";

    public static async Task<IReadOnlyList<DoctorFinding>> RunAsync(
        OffSiteOptions options, DatabaseTarget database, OffSiteStore store, OffSiteHistory history, CronSchedule schedule, bool production, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            const string detail = "Off-site copies are off: losing the volume (a recreated service, a detached or wiped volume) loses the database and every backup with it.";
            return
            [
                production
                    ? DoctorFinding.Warning(ConfiguredCheck, detail,
                        "Set OffSite:Endpoint, OffSite:Bucket, OffSite:AccessKeyId, OffSite:SecretAccessKey (a Railway Bucket's variables, R2, B2 or S3).")
                    : DoctorFinding.Ok(ConfiguredCheck, detail),
            ];
        }

        var sqlite = database.Provider == DatabaseProvider.Sqlite;
        var findings = new List<DoctorFinding>
        {
            DoctorFinding.Ok(ConfiguredCheck, sqlite
                ? $"Off-site copies to {options.StoreName} under {options.Prefix}, {options.Mode.ToLowerInvariant()} mode."
                : $"Off-site copies to {options.StoreName} under {options.Prefix}: the scheduled and on-demand PostgreSQL backups (the platform's own backups are primary)."),
        };

        List<LineageHistory> histories;
        try
        {
            await store.ProbeAsync(cancellationToken);
            histories = sqlite ? await history.ListAsync(cancellationToken) : [await history.ReadAsync(OffSiteLayout.PostgresLineage, cancellationToken)];
            findings.Add(DoctorFinding.Ok(StoreCheck, $"The store {options.StoreName} answers with these credentials."));
        }
        catch (OffSiteStoreException ex)
        {
            findings.Add(ex.IsConfigurationProblem
                ? DoctorFinding.Risk(production, StoreCheck, ex.Message, "Fix the setting the message names: a Production start refuses until the store accepts it.")
                : DoctorFinding.Warning(StoreCheck, ex.Message,
                    sqlite && options.IsSync ? "Bring the store back: until it answers, writes are refused (503) and an empty volume cannot start." : "Bring the store back: until it answers, nothing new goes off-site."));
            return findings;
        }

        findings.Add(Newest(histories, sqlite, schedule, now));
        return findings;
    }

    private static DoctorFinding Newest(List<LineageHistory> histories, bool sqlite, CronSchedule schedule, DateTimeOffset now)
    {
        var snapshot = histories.SelectMany(h => h.Snapshots).MaxBy(s => s.Ticks);
        if (snapshot is null)
        {
            return DoctorFinding.Warning(NewestCheck, "The store holds no snapshot yet: there is nothing to restore from it.",
                sqlite ? "Start the service with these settings: it takes a snapshot at every start." : "Run a backup (`POST /api/admin/backups`): each one goes off-site.");
        }

        var newest = histories.Select(h => h.Newest).Max() ?? snapshot.At;
        var words = string.Create(CultureInfo.InvariantCulture,
            $"The newest off-site point is {Age(now - newest)} old ({newest:O}); the newest snapshot {Age(now - snapshot.At)} ({histories.Sum(h => h.Snapshots.Count)} snapshots, {histories.Count} lineage(s)).");
        var allowed = 2 * schedule.Interval(now);
        return !sqlite && now - snapshot.At > allowed
            ? DoctorFinding.Warning(NewestCheck, words, "Check that the scheduled backup job succeeds (/health, offSite.lastError).")
            : DoctorFinding.Ok(NewestCheck, words);
    }

    private static string Age(TimeSpan age) => age.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:F1} hours")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, age.TotalSeconds):F0} s");
}
