using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage.Monitoring;

namespace Campaigns.Api.Jobs;

/// <summary>The body of <c>GET /api/admin/jobs/{jobId}</c>.</summary>
public sealed record JobDto(
    string JobId,
    JobKind Kind,
    string? Source,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JsonElement? Result,
    string? Error);

/// <summary>
/// A job as the API shows it, read from Hangfire's storage: its state, times and error come from the state history,
/// the result from the job parameter <see cref="CampaignJobs"/> wrote. Nothing is kept anywhere else.
/// </summary>
public sealed class JobStatusReader(JobStorage storage, InterruptedJobs interrupted)
{
    public async Task<JobDto> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        // Hangfire's ids on both storages are integers; anything else cannot name a job (nor reach the storage's parser).
        if (!int.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new JobNotFoundException(jobId);
        }

        await interrupted.WhenSettledAsync(cancellationToken);
        using var connection = storage.GetConnection();
        var data = connection.GetJobData(jobId);
        var kind = CampaignJobKinds.Of(data?.Job);
        if (data is null || kind is null)
        {
            throw new JobNotFoundException(jobId);
        }

        // Newest first, whatever order the storage returns them in.
        var history = (storage.GetMonitoringApi().JobDetails(jobId)?.History ?? []).OrderByDescending(h => h.CreatedAt).ToList();
        var state = StateOf(data.State);
        var finished = state is JobState.Succeeded or JobState.Failed;
        var result = state == JobState.Succeeded && connection.GetJobParameter(jobId, CampaignJobs.ResultParameter) is { Length: > 0 } json
            ? JsonDocument.Parse(json).RootElement.Clone()
            : (JsonElement?)null;
        return new JobDto(
            jobId,
            kind.Value,
            kind == JobKind.Restore ? data.Job.Args.FirstOrDefault() as string : null,
            state,
            Utc(data.CreatedAt),
            history.FirstOrDefault(h => h.StateName == ProcessingState.StateName) is { } started ? Utc(started.CreatedAt) : null,
            finished && history.Count > 0 ? Utc(history[0].CreatedAt) : null,
            result,
            state == JobState.Failed ? ErrorOf(data.State, history) : null);
    }

    public static JobState StateOf(string? hangfireState) =>
        hangfireState == ProcessingState.StateName ? JobState.Processing
        : hangfireState == SucceededState.StateName ? JobState.Succeeded
        : hangfireState == FailedState.StateName || hangfireState == DeletedState.StateName ? JobState.Failed
        : JobState.Enqueued; // enqueued, scheduled, awaiting, or created and not yet enqueued

    private static string ErrorOf(string state, List<StateHistoryDto> history)
    {
        var last = history.FirstOrDefault(h => h.StateName == state);
        if (state == DeletedState.StateName)
        {
            return "Deleted (from the Hangfire dashboard) before it finished." + (last?.Reason is { Length: > 0 } reason ? $" {reason}" : "");
        }

        return last?.Data is { } data && data.TryGetValue("ExceptionMessage", out var message) && !string.IsNullOrEmpty(message)
            ? message
            : last?.Reason ?? "Failed.";
    }

    /// <summary>Hangfire stores UTC; SQLite hands it back without a kind.</summary>
    private static DateTimeOffset Utc(DateTime value) =>
        new(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

/// <summary>Which of our jobs a Hangfire job is, from the method it calls.</summary>
public static class CampaignJobKinds
{
    public static JobKind? Of(Job? job) => job?.Type == typeof(CampaignJobs) ? job.Method.Name switch
    {
        nameof(CampaignJobs.RestoreAsync) => JobKind.Restore,
        nameof(CampaignJobs.BackupAsync) or nameof(CampaignJobs.ScheduledBackupAsync) => JobKind.Backup,
        nameof(CampaignJobs.Cleanup) => JobKind.Cleanup,
        _ => null,
    } : null;
}
