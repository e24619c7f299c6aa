using Campaigns.Api.Jobs;
using Campaigns.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Jobs;

/// <summary>
/// A worker fetches a job (its queue entry is marked fetched) a moment before it moves the job to "processing"; a kill in
/// that moment leaves an "enqueued" job whose only queue entry stays hidden for the invisibility timeout (30 minutes).
/// The next start must not leave it there.
/// </summary>
public sealed class FetchedBeforeTheKillTests
{
    [Fact]
    public async Task ABackupAKilledProcessHadFetchedButNotStartedRunsAtTheNextStart()
    {
        using var data = new TempDirectory();
        await StartAndStopAsync(data.Path);
        var jobId = EnqueueFetchedByADeadProcess(data.Path, storage => new BackgroundJobClient(storage).Enqueue<CampaignJobs>(j => j.BackupAsync(null, CancellationToken.None)));

        await using var restarted = new CampaignsApiFactory(data.Path);
        var admin = restarted.CreateAdminClient();
        var job = await admin.WaitForJobAsync(JobAccepted.StatusUrlOf(jobId), TimeSpan.FromSeconds(60));

        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        Assert.True(restarted.Logs.Contains("Queued 1 jobs again that the previous process had fetched but not started"));
    }

    [Fact]
    public async Task ARestoreAKilledProcessHadFetchedButNotStartedIsFailedNotRun()
    {
        using var data = new TempDirectory();
        await StartAndStopAsync(data.Path);
        var jobId = EnqueueFetchedByADeadProcess(data.Path, storage =>
        {
            var id = new BackgroundJobClient(storage).Enqueue<CampaignJobs>(j => j.RestoreAsync("canonical", null, null, CancellationToken.None));
            using var connection = storage.GetConnection();
            JobLauncher.RecordActiveRestore(connection, id);
            return id;
        });

        await using var restarted = new CampaignsApiFactory(data.Path);
        var admin = restarted.CreateAdminClient();
        var job = await admin.WaitForJobAsync(JobAccepted.StatusUrlOf(jobId), TimeSpan.FromSeconds(60));

        Assert.True(job.GetProperty("state").GetString() == "failed", job.ToString());
        Assert.Equal(InterruptedJobs.UnstartedRestore, job.GetProperty("error").GetString());
        // Its released entry is fetched again at once; the restore must still never run.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(restarted.Logs.Contains("Restored " + restarted.DatabasePath), "the restore ran");
        Assert.Equal("failed", (await admin.WaitForJobAsync(JobAccepted.StatusUrlOf(jobId))).GetProperty("state").GetString());
    }

    private static async Task StartAndStopAsync(string dataDirectory)
    {
        await using var api = new CampaignsApiFactory(dataDirectory);
        await api.WaitForAfterFirstAnswerWorkAsync();
    }

    /// <summary>Enqueues through Hangfire's own client on the stopped service's hangfire.db, then marks the entry fetched now.</summary>
    private static string EnqueueFetchedByADeadProcess(string dataDirectory, Func<SQLiteStorage, string> enqueue)
    {
        var path = Path.Combine(dataDirectory, HangfireDatabase.FileName);
        string jobId;
        using (var storage = new SQLiteStorage(path, new SQLiteStorageOptions()))
        {
            jobId = enqueue(storage);
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var fetch = connection.CreateCommand();
        fetch.CommandText = "UPDATE JobQueue SET FetchedAt = $now WHERE JobId = $job";
        fetch.Parameters.AddWithValue("$now", DateTime.UtcNow.Ticks);
        fetch.Parameters.AddWithValue("$job", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, fetch.ExecuteNonQuery());
        return jobId;
    }
}
