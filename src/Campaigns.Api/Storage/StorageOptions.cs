using System.ComponentModel.DataAnnotations;

namespace Campaigns.Api.Storage;

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Explicit data directory; <c>DATA_DIR</c> and then <c>RAILWAY_VOLUME_MOUNT_PATH</c> win over the default.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Run in Production on storage that is not a mounted volume. Only for people who accept losing data.</summary>
    public bool AllowEphemeral { get; set; }

    [Range(1, 600)]
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>Database commands at least this slow are logged as warnings (command text only). 0 logs every command.</summary>
    [Range(0, 600_000)]
    public int SlowCommandThresholdMilliseconds { get; set; } = 1000;

    /// <summary>
    /// How long the work a start does after ready (the startup backup, the job server, the list's preload) waits for the
    /// service's first answered request when none comes: a deploy with no health check. See <see cref="AfterFirstAnswer"/>.
    /// </summary>
    [Range(0, 600_000)]
    public int FirstAnswerWaitMilliseconds { get; set; } = 1000;
}
