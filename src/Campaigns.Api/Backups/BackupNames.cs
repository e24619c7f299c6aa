using System.Text.RegularExpressions;
using Campaigns.Api.SqliteFiles;

namespace Campaigns.Api.Backups;

public static partial class BackupNames
{
    public const string Extension = ".sqlite";

    /// <summary>On PostgreSQL a backup is the portable JSON snapshot (campaigns and seed history) instead of a SQLite file.</summary>
    public const string SnapshotExtension = ".snapshot.json";
    public const string SidecarExtension = ".json";
    public const string TemporaryExtension = AtomicFile.TemporaryExtension;

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
