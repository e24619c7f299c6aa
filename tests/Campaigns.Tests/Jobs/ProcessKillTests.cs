using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Jobs;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Jobs;

/// <summary>What only a real process shows: jobs in hangfire.db when the service is killed with SIGKILL.</summary>
public sealed class ProcessKillTests
{
    // A start on a database with ballast (its startup backup included) is slow on a loaded 2-core machine.
    private static readonly TimeSpan Ready = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task KillWithJobsQueuedRunsTheBackupAfterRestartAndFailsTheRestoreWithTheReason()
    {
        // The restore must still be queued or running when the kill comes. On a fast disk it can finish first (a 16 MiB
        // restore took 0.2 s in CI); such an attempt shows nothing, and the scenario starts again on a new directory.
        for (var attempt = 1; ; attempt++)
        {
            if (await KillWithJobsQueuedAsync(lastAttempt: attempt == 3))
            {
                return;
            }
        }
    }

    /// <returns>False when the restore had finished before the kill (only allowed before the last attempt).</returns>
    private static async Task<bool> KillWithJobsQueuedAsync(bool lastAttempt)
    {
        using var data = new TempDirectory("campaigns-kill");
        await SeedFiles.ArrangeDatabaseAsync(data.Combine("campaigns.db"), SeedFiles.UserCampaign("before-kill"));
        SeedFiles.AddBallast(data.Combine("campaigns.db"), megabytes: 16); // a restore that usually cannot finish within the kill

        string backupUrl, restoreUrl;
        DateTimeOffset killedAt;
        await using (var api = ApiProcess.Start(data.Path))
        {
            await api.WaitUntilReadyAsync(Ready);
            using var admin = api.CreateClient(admin: true);
            restoreUrl = await admin.StartJobAsync("/api/admin/restore", new { source = "canonical" });
            backupUrl = await admin.StartJobAsync("/api/admin/backups", null);
            api.Kill();
            killedAt = DateTimeOffset.UtcNow;
        }

        await using (var api = ApiProcess.Start(data.Path))
        {
            await api.WaitUntilReadyAsync(Ready);
            using var admin = api.CreateClient(admin: true);
            var restore = await admin.WaitForJobAsync(restoreUrl);
            if (!lastAttempt && restore.GetProperty("state").GetString() == "succeeded"
                && restore.GetProperty("finishedAt").GetDateTimeOffset() < killedAt)
            {
                return false;
            }

            var backup = await admin.WaitForJobAsync(backupUrl, TimeSpan.FromSeconds(90));
            Assert.True(backup.GetProperty("state").GetString() == "succeeded", backup.ToString());
            var name = backup.GetProperty("result").GetProperty("name").GetString();
            Assert.Contains((await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/backups"))!, b => b.GetProperty("name").GetString() == name);

            // Never run again after the restart: a restore that ran then would read "succeeded" too.
            Assert.True(restore.GetProperty("state").GetString() == "failed", restore.ToString());
            Assert.Contains(restore.GetProperty("error").GetString(),
                new[] { InterruptedJobs.UnstartedRestore, InterruptedJobs.InterruptedRestore });
            // The admin decides: a new restore is accepted at once (the failed one does not block it).
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync("/api/admin/restore", new { source = "canonical" })).StatusCode);
        }

        return true;
    }

    [Fact]
    public async Task RestoreInterruptedByKillReadsFailedWithTheReasonAndIsNeverRunAgain()
    {
        using var data = new TempDirectory("campaigns-kill");
        var database = data.Combine("campaigns.db");
        await SeedFiles.ArrangeDatabaseAsync(database, SeedFiles.UserCampaign("in-backup"));
        SeedFiles.AddBallast(database, megabytes: 24);
        // A stale queue entry comes back after 5 s instead of 30 min, so "never run again" is checked, not assumed.
        var settings = new Dictionary<string, string> { ["Jobs__InvisibilityTimeoutSeconds"] = "5" };

        string? jobId = null;
        for (var attempt = 1; attempt <= 3 && jobId is null; attempt++)
        {
            await using var api = ApiProcess.Start(data.Path, settings);
            await api.WaitUntilReadyAsync(Ready);
            using var admin = api.CreateClient(admin: true);
            var backup = (await admin.WaitForBackupsAsync())[0].GetProperty("name").GetString();
            var statusUrl = await admin.StartJobAsync("/api/admin/restore", new { source = "backup", backup });
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(10))
            {
                var state = (await admin.GetFromJsonAsync<JsonElement>(statusUrl)).GetProperty("state").GetString();
                if (state == "processing")
                {
                    api.Kill();
                    jobId = statusUrl.Split('/')[^1];
                    break;
                }

                if (state is "succeeded" or "failed")
                {
                    break; // finished before it could be caught running: try again
                }
            }
        }

        Assert.NotNull(jobId);
        await using (var api = ApiProcess.Start(data.Path, settings))
        {
            await api.WaitUntilReadyAsync(Ready);
            using var admin = api.CreateClient(admin: true);
            // Settled as soon as the job server starts, right after the startup sequence opens the API.
            var job = await admin.WaitForJobAsync(JobAccepted.StatusUrlOf(jobId), TimeSpan.FromSeconds(60));
            Assert.Equal("failed", job.GetProperty("state").GetString());
            Assert.Equal(InterruptedJobs.InterruptedRestore, job.GetProperty("error").GetString());

            await Task.Delay(TimeSpan.FromSeconds(12)); // past the invisibility timeout and a few queue polls
            job = await admin.GetFromJsonAsync<JsonElement>(JobAccepted.StatusUrlOf(jobId));
            Assert.Equal("failed", job.GetProperty("state").GetString());
            Assert.Contains("in-backup", (await admin.GetCampaignsAsync()).Select(c => c.Key));
        }

        Assert.Equal(1L, ProcessingStates(data.Combine(HangfireDatabase.FileName), jobId));
    }

    private static long ProcessingStates(string hangfireDb, string jobId)
    {
        using var connection = new SqliteConnection($"Data Source={hangfireDb};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM State WHERE JobId = $id AND Name = 'Processing'";
        command.Parameters.AddWithValue("$id", int.Parse(jobId));
        return (long)command.ExecuteScalar()!;
    }
}
