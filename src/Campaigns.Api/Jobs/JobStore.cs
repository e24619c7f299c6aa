using System.Text.Json;
using System.Text.RegularExpressions;
using Campaigns.Api.Backups;
using Campaigns.Api.Restores;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Jobs;

public static class JobKinds
{
    public const string Restore = "restore";
    public const string Backup = "backup";
}

public static class JobStates
{
    public const string Enqueued = "enqueued";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsActive(string state) => state is Enqueued or Processing;
}

public sealed record JobRecord(
    string JobId,
    string Kind,
    string? Source,
    string? Backup,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JsonElement? Result,
    string? Error);

/// <summary>
/// Our durable record of restore and backup jobs, one JSON file per job under <c>&lt;data&gt;/jobs/</c>. Not in Hangfire's
/// storage (in-memory here: lost on restart) and not in campaigns.db (a restore overwrites it, job record included):
/// a file on the volume survives both, and the job's outcome can still be read after a crash or a restart.
/// </summary>
public sealed partial class JobStore(DataDirectory dataDirectory, TimeProvider time, ILogger<JobStore> logger)
{
    private readonly Lock _lock = new();
    private string? _activeRestore;

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex JobId();

    /// <summary>Creates an enqueued job; a second restore while one is enqueued or running is refused.</summary>
    public JobRecord Create(string kind, string? source, string? backup = null)
    {
        lock (_lock)
        {
            if (kind == JobKinds.Restore && _activeRestore is { } active && Get(active) is { } running && JobStates.IsActive(running.State))
            {
                throw new RestoreAlreadyRunningException(running.JobId, running.State);
            }

            var record = new JobRecord(Guid.CreateVersion7().ToString("N"), kind, source, backup, JobStates.Enqueued, time.GetUtcNow(), null, null, null, null);
            Save(record);
            if (kind == JobKinds.Restore)
            {
                _activeRestore = record.JobId;
            }

            return record;
        }
    }

    public JobRecord? Get(string jobId)
    {
        var path = PathOf(jobId);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        return JsonSerializer.Deserialize<JobRecord>(File.ReadAllBytes(path), BackupCatalog.Json);
    }

    public JobRecord MarkProcessing(string jobId) =>
        Update(jobId, r => r with { State = JobStates.Processing, StartedAt = time.GetUtcNow() });

    public JobRecord MarkSucceeded(string jobId, JsonElement result) =>
        Update(jobId, r => r with { State = JobStates.Succeeded, FinishedAt = time.GetUtcNow(), Result = result });

    public JobRecord MarkFailed(string jobId, string error) =>
        Update(jobId, r => r with { State = JobStates.Failed, FinishedAt = time.GetUtcNow(), Error = error });

    /// <summary>At start: jobs a previous process left enqueued or running will never finish; say so instead of leaving them hanging.</summary>
    public int FailInterrupted()
    {
        var failed = 0;
        foreach (var record in All().Where(r => JobStates.IsActive(r.State)))
        {
            MarkFailed(record.JobId, "Interrupted: the service stopped before the job finished. Nothing is retried automatically; start it again if still needed.");
            logger.LogWarning("Job {JobId} ({JobKind}) was interrupted by a restart and is marked failed", record.JobId, record.Kind);
            failed++;
        }

        return failed;
    }

    /// <summary>Removes records of finished jobs older than <paramref name="age"/>.</summary>
    public int Prune(TimeSpan age)
    {
        var limit = time.GetUtcNow() - age;
        var removed = 0;
        foreach (var record in All().Where(r => !JobStates.IsActive(r.State) && r.CreatedAt < limit))
        {
            File.Delete(PathOf(record.JobId)!);
            removed++;
        }

        return removed;
    }

    private JobRecord Update(string jobId, Func<JobRecord, JobRecord> change)
    {
        lock (_lock)
        {
            var record = change(Get(jobId) ?? throw new InvalidOperationException($"Job {jobId} has no record in {dataDirectory.JobsPath}"));
            Save(record);
            return record;
        }
    }

    private IEnumerable<JobRecord> All()
    {
        if (!Directory.Exists(dataDirectory.JobsPath))
        {
            return [];
        }

        return Directory.EnumerateFiles(dataDirectory.JobsPath, "*.json")
            .Select(file => Path.GetFileNameWithoutExtension(file))
            .Where(id => JobId().IsMatch(id))
            .Select(Get)
            .OfType<JobRecord>()
            .ToList();
    }

    private void Save(JobRecord record)
    {
        Directory.CreateDirectory(dataDirectory.JobsPath);
        AtomicFile.Write(PathOf(record.JobId)!, JsonSerializer.SerializeToUtf8Bytes(record, BackupCatalog.Json));
    }

    /// <summary>Null for anything that is not one of our ids, so a request can never name another file.</summary>
    private string? PathOf(string jobId) =>
        JobId().IsMatch(jobId) ? Path.Combine(dataDirectory.JobsPath, jobId + ".json") : null;
}
