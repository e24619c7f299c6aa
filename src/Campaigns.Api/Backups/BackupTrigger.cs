using Campaigns.Api.Common;

namespace Campaigns.Api.Backups;

/// <summary>Why a backup was taken; written in sidecars as "startup", "scheduled", "manual" or "pre-restore".</summary>
[WireEnum]
public enum BackupTrigger
{
    Startup,
    Scheduled,
    Manual,
    PreRestore,
}
