using System.Text.RegularExpressions;

namespace Campaigns.Api.Backups;

public static class BackupTriggers
{
    public const string Startup = "startup";
    public const string Scheduled = "scheduled";
    public const string Manual = "manual";
    public const string PreRestore = "pre-restore";
}

/// <summary>
/// The sidecar <c>&lt;backup&gt;.json</c> written next to every backup. The sidecars are the catalog: they live on the
/// volume with the files, so they survive the loss of the database.
/// </summary>
public sealed record BackupEntry(
    string Name,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    string Sha256,
    string SourcePath,
    string BackupPath,
    string Trigger,
    string SchemaVersion,
    int ActiveCampaigns,
    int TotalCampaigns,
    bool Verified,
    RestoreDrillOutcome? LastDrill = null)
{
    /// <summary>Good enough for recovery: verified, and it held at least the expected active campaigns.</summary>
    public bool IsGood(int expectedActive) => Verified && ActiveCampaigns >= expectedActive;
}

/// <summary>What the admin API shows for a backup (no server paths).</summary>
public sealed record BackupDto(
    string Name,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    string Sha256,
    string Trigger,
    string SchemaVersion,
    int ActiveCampaigns,
    bool Verified,
    string DownloadUrl)
{
    public static BackupDto From(BackupEntry entry) =>
        new(entry.Name, entry.CreatedAt, entry.SizeBytes, entry.Sha256, entry.Trigger, entry.SchemaVersion, entry.ActiveCampaigns,
            entry.Verified, $"/api/admin/backups/{entry.Name}");
}

public static partial class BackupNames
{
    public const string Extension = ".sqlite";

    /// <summary>On PostgreSQL a backup is the portable JSON snapshot (campaigns and seed history) instead of a SQLite file.</summary>
    public const string SnapshotExtension = ".snapshot.json";
    public const string SidecarExtension = ".json";
    public const string TemporaryExtension = ".tmp";

    /// <summary>Every sidecar, whichever kind of backup it describes.</summary>
    public const string SidecarPattern = "campaigns_backup_*" + SidecarExtension;

    /// <summary>The only names ever accepted from outside: no directories, no dots to climb, nothing but our own pattern.</summary>
    [GeneratedRegex(@"^campaigns_backup_\d{8}_\d{6}_\d{3}(\.sqlite|\.snapshot\.json)$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    public static bool IsValid(string? name) => name is not null && ValidName().IsMatch(name);

    public static bool IsSnapshot(string name) => name.EndsWith(SnapshotExtension, StringComparison.Ordinal);

    /// <summary>campaigns_backup_YYYYMMDD_HHMMSS_fff.sqlite (or .snapshot.json) in UTC; callers step the clock on a clash.</summary>
    public static string For(DateTimeOffset at, string extension = Extension) => $"campaigns_backup_{at.UtcDateTime:yyyyMMdd_HHmmss_fff}{extension}";

    public static string SidecarOf(string backupPath) => backupPath + SidecarExtension;
}
