using System.Text.Json.Serialization;
using Campaigns.Api.Common;

namespace Campaigns.Api.Jobs;

/// <summary>What a job does; "restore", "backup", "cleanup" in JSON and logs.</summary>
[JsonConverter(typeof(WireEnumConverter<JobKind>))]
public enum JobKind
{
    Restore,
    Backup,
    Cleanup,
}

/// <summary>Where a job is, in the four words clients poll for: Hangfire's finer states fold into these.</summary>
[JsonConverter(typeof(WireEnumConverter<JobState>))]
public enum JobState
{
    Enqueued,
    Processing,
    Succeeded,
    Failed,
}
