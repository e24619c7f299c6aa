using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Restores;

/// <summary>How /health names the last recovery; the strings are those of every last-recovery.json already written.</summary>
[JsonConverter(typeof(WireEnumConverter<RecoveryKind>))]
public enum RecoveryKind
{
    [JsonStringEnumMemberName("missing-database-restored")]
    MissingDatabase,

    [JsonStringEnumMemberName("corrupt-database-quarantined")]
    Quarantined,

    Restore,

    [JsonStringEnumMemberName("offsite-restored")]
    OffSiteRestored,
}
