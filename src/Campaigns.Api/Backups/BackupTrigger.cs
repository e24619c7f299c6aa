using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Backups;

/// <summary>Why a backup was taken; written in sidecars as "startup", "scheduled", "manual", "pre-restore" or "offsite".</summary>
[JsonConverter(typeof(WireEnumConverter<BackupTrigger>))]
public enum BackupTrigger
{
    Startup,
    Scheduled,
    Manual,
    PreRestore,

    /// <summary>A state rebuilt from the off-site copies, adopted into the catalog before it is restored.</summary>
    [JsonStringEnumMemberName("offsite")]
    OffSite,
}
