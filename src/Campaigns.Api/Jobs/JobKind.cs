using System.Text.Json.Serialization;

namespace Campaigns.Api.Jobs;

/// <summary>What a job does; written as the same lowercase words in JSON and in logs (<see cref="JobNames"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobKind>))]
public enum JobKind
{
    [JsonStringEnumMemberName("restore")] Restore,
    [JsonStringEnumMemberName("backup")] Backup,
    [JsonStringEnumMemberName("cleanup")] Cleanup,
}

/// <summary>Where a job is, in the four words clients poll for: Hangfire's finer states fold into these.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    [JsonStringEnumMemberName("enqueued")] Enqueued,
    [JsonStringEnumMemberName("processing")] Processing,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
}

public static class JobNames
{
    /// <summary>The word used in JSON, for log lines, so a log search and an API response say the same thing.</summary>
    public static string Name(this JobKind kind) => kind.ToString().ToLowerInvariant();

    public static string Name(this JobState state) => state.ToString().ToLowerInvariant();
}
