using System.Globalization;
using Campaigns.Api.Backups;

namespace Campaigns.Api.Doctor;

/// <summary>Is there a recent backup, a last known good one, and does the newest one actually restore.</summary>
public static class BackupChecks
{
    public const string NewestBackupCheck = "newest-backup";
    public const string LastKnownGoodCheck = "last-known-good";
    public const string RestoreDrillCheck = "restore-drill";

    public static IReadOnlyList<DoctorFinding> Run(
        IReadOnlyList<BackupEntry> backups, BackupEntry? lastKnownGood, CronSchedule schedule, DrilledBackup? drilled, DateTimeOffset now)
    {
        var newest = backups.FirstOrDefault();
        if (newest is null)
        {
            return
            [
                DoctorFinding.Warning(NewestBackupCheck, "There is no backup yet.",
                    "Run `campaigns-seed backup` now; the service also backs up at every start and on its schedule."),
                DoctorFinding.Warning(LastKnownGoodCheck, "There is no last known good backup to recover from.",
                    "Take a backup once the campaigns are in place (`campaigns-seed backup`)."),
            ];
        }

        var allowed = 2 * schedule.Interval(now);
        var age = now - newest.CreatedAt;
        var ageWords = string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:F1} hours old");
        List<DoctorFinding> findings =
        [
            age <= allowed
                ? DoctorFinding.Ok(NewestBackupCheck, $"The newest backup {newest.Name} is {ageWords} (schedule '{schedule.Expression}'); {backups.Count} kept.")
                : DoctorFinding.Warning(NewestBackupCheck,
                    string.Create(CultureInfo.InvariantCulture,
                        $"The newest backup {newest.Name} is {ageWords}; the schedule '{schedule.Expression}' expects one at least every {allowed.TotalHours / 2:F1} hours."),
                    "Check that the service is running and its backup job succeeds (/health, backups.lastAttempt), or run `campaigns-seed backup`."),
            lastKnownGood is not null
                ? DoctorFinding.Ok(LastKnownGoodCheck, $"The last known good backup is {lastKnownGood.Name} ({lastKnownGood.ActiveCampaigns} active campaigns, verified).")
                : DoctorFinding.Warning(LastKnownGoodCheck, "No verified backup holds all the expected active campaigns.",
                    "Restore the missing campaigns (the next start tops them up), then take a backup."),
            Drill(newest, drilled),
        ];
        return findings;
    }

    private static DoctorFinding Drill(BackupEntry newest, DrilledBackup? drilled)
    {
        // A drill run now speaks for itself; otherwise the newest backup's recorded drill, if any.
        var outcome = drilled is { } run && run.Backup.Name == newest.Name ? run.Outcome : newest.LastDrill;
        if (outcome is null)
        {
            return DoctorFinding.Warning(RestoreDrillCheck, $"The newest backup {newest.Name} has never been restored in a drill.",
                "Run `campaigns-seed doctor` (it drills the newest backup), or wait for the scheduled restore-drill job.");
        }

        var when = outcome.At.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return outcome.Ok
            ? DoctorFinding.Ok(RestoreDrillCheck, string.Create(CultureInfo.InvariantCulture,
                $"Backup {newest.Name} restored into a temporary file at {when}: quick_check ok, {outcome.ActiveCampaigns} active campaigns ({outcome.DurationMs} ms)."))
            : DoctorFinding.AtRisk(RestoreDrillCheck, $"Backup {newest.Name} failed its restore drill at {when}: {outcome.Problem}.",
                "Take a new backup now (`campaigns-seed backup`) and check the volume; `campaigns-seed backups verify` lists the damaged backups.");
    }
}
