namespace Campaigns.Api.Storage;

/// <summary>Where the database lives and which setting chose it, so the startup log can say why.</summary>
public sealed record DataDirectory(string Path, string ChosenBy)
{
    public const string DatabaseFileName = "campaigns.db";

    public string DatabasePath => System.IO.Path.Combine(Path, DatabaseFileName);

    /// <summary>Backups and their sidecar catalog: beside the database on the same volume, so renames stay atomic.</summary>
    public string BackupsPath => System.IO.Path.Combine(Path, "backups");

    /// <summary>Where a corrupt database is moved (never deleted) before recovery.</summary>
    public string QuarantinePath => System.IO.Path.Combine(Path, "quarantine");

    /// <summary>Records of background jobs and the last recovery: outside the database, which a restore overwrites.</summary>
    public string JobsPath => System.IO.Path.Combine(Path, "jobs");

    public static DataDirectory Resolve(IConfiguration configuration, string contentRoot)
    {
        (string? value, string source)[] candidates =
        [
            (configuration["DATA_DIR"], "DATA_DIR"),
            (configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.DataDirectory)}"], "Storage:DataDirectory"),
            (configuration["RAILWAY_VOLUME_MOUNT_PATH"], "RAILWAY_VOLUME_MOUNT_PATH"),
        ];

        foreach (var (value, source) in candidates)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return new DataDirectory(System.IO.Path.GetFullPath(value, contentRoot), source);
            }
        }

        return SourceCheckout.RootFor(contentRoot) is { } checkout
            ? new DataDirectory(System.IO.Path.Combine(checkout, "data"), "default (./data at the repository root)")
            : new DataDirectory(System.IO.Path.Combine(contentRoot, "data"), "default (./data)");
    }
}
