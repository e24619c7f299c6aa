using Campaigns.Api.Common;
using System.Text.Json.Serialization;

namespace Campaigns.Api.Backups;

/// <summary>Why a backup was taken; written in sidecars as "startup", "scheduled", "manual" or "pre-restore".</summary>
[JsonConverter(typeof(WireEnumConverter<BackupTrigger>))]
public enum BackupTrigger
{
    Startup,
    Scheduled,
    Manual,
    PreRestore,
}
