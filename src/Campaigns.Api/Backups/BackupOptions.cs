using System.ComponentModel.DataAnnotations;

namespace Campaigns.Api.Backups;

public sealed class BackupOptions
{
    public const string SectionName = "Backups";

    /// <summary>Cron (5 fields, UTC) of the recurring <c>backup-database</c> job; default daily at 02:00 UTC.</summary>
    [Required]
    public string Schedule { get; set; } = "0 2 * * *";

    /// <summary>How many of the newest backups rotation keeps (the last known good one is kept on top of these).</summary>
    [Range(1, 1000)]
    public int Keep { get; set; } = 5;

    /// <summary>Quarantined (corrupt) databases older than this are removed by the hourly cleanup.</summary>
    [Range(1, 3650)]
    public int QuarantineDays { get; set; } = 30;
}
