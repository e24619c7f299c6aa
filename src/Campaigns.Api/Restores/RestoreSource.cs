using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Restores;

/// <summary>What a restore brings back; "canonical", "latest-backup" or "backup" on the wire.</summary>
[JsonConverter(typeof(WireEnumConverter<RestoreSource>))]
public enum RestoreSource
{
    /// <summary>No backup: the canonical top-up alone.</summary>
    Canonical,

    /// <summary>The newest verified backup with at least the expected active campaigns.</summary>
    LatestBackup,

    /// <summary>One backup, named.</summary>
    Backup,

    /// <summary>The off-site copies, at a moment (the newest state when none is given).</summary>
    [JsonStringEnumMemberName("offsite")]
    OffSite,
}
