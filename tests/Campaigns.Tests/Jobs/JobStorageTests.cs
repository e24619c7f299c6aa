using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Campaigns.Api.Jobs;
using Campaigns.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Jobs;

/// <summary>Job state lives in hangfire.db on the volume: it survives restarts, and losing the file loses no data.</summary>
public sealed class JobStorageTests
{
    [Fact]
    public async Task TheJobStorageOpensOnlyAfterTheServicesFirstAnswer()
    {
        using var data = new TempDirectory();
        await using var api = new CampaignsApiFactory(data.Path, new Dictionary<string, string?> { ["Storage:FirstAnswerWaitMilliseconds"] = "120000" });
        _ = api.Server;
        var storage = Assert.IsType<DeferredJobStorage>(api.Service<JobStorage>());
        Assert.False(storage.IsOpen); // ready, but the job server waits for the first answer
        Assert.False(File.Exists(Path.Combine(data.Path, HangfireDatabase.FileName)));

        (await api.CreateClient().GetAsync("/api/campaigns")).EnsureSuccessStatusCode();

        for (var deadline = Stopwatch.StartNew(); !storage.IsOpen; await Task.Delay(20))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the job server never opened its storage after the first answer");
        }

        var admin = api.CreateAdminClient();
        var backup = await admin.WaitForJobAsync(await admin.StartJobAsync("/api/admin/backups", null));
        Assert.Equal("succeeded", backup.GetProperty("state").GetString());
    }

    [Fact]
    public async Task RestartKeepsJobHistoryStatusAndTheRecurringJobsLastRuns()
    {
        string backupUrl, restoreUrl, cleanupJobId;
        JsonElement backup;
        using var data = new TempDirectory();
        await using (var api = new CampaignsApiFactory(data.Path))
        {
            var admin = api.CreateAdminClient();
            backupUrl = await admin.StartJobAsync("/api/admin/backups", null);
            backup = await admin.WaitForJobAsync(backupUrl);
            restoreUrl = await admin.StartJobAsync("/api/admin/restore", new { source = "canonical" });
            await admin.WaitForJobAsync(restoreUrl);
            cleanupJobId = api.Service<IRecurringJobManagerV2>().TriggerJob(JobServer.CleanupJobId)!;
            await admin.WaitForJobAsync(JobAccepted.StatusUrlOf(cleanupJobId));
        }

        await using var redeployed = new CampaignsApiFactory(data.Path);
        var client = redeployed.CreateAdminClient();

        var backupAfter = await client.GetFromJsonAsync<JsonElement>(backupUrl);
        Assert.Equal("succeeded", backupAfter.GetProperty("state").GetString());
        Assert.Equal(backup.GetProperty("result").GetProperty("name").GetString(), backupAfter.GetProperty("result").GetProperty("name").GetString());
        Assert.Equal(backup.GetProperty("finishedAt").GetDateTimeOffset(), backupAfter.GetProperty("finishedAt").GetDateTimeOffset());
        var restoreAfter = await client.GetFromJsonAsync<JsonElement>(restoreUrl);
        Assert.Equal(("succeeded", "restore", "canonical"),
            (restoreAfter.GetProperty("state").GetString(), restoreAfter.GetProperty("kind").GetString(), restoreAfter.GetProperty("source").GetString()));
        Assert.Equal(12, restoreAfter.GetProperty("result").GetProperty("activeAfter").GetInt32());

        using (var connection = redeployed.Service<JobStorage>().GetConnection())
        {
            var cleanup = connection.GetRecurringJobs().Single(r => r.Id == JobServer.CleanupJobId);
            Assert.Equal(cleanupJobId, cleanup.LastJobId);
            Assert.NotNull(cleanup.LastExecution);
        }

        var dashboard = DashboardClient(redeployed);
        var succeeded = await dashboard.GetStringAsync("/hangfire/jobs/succeeded");
        Assert.Contains("backup", succeeded);
        Assert.Contains("restore from canonical", succeeded);
        Assert.Contains("cleanup", succeeded);
        Assert.DoesNotContain("N/A", ExtractRow(await dashboard.GetStringAsync("/hangfire/recurring"), JobServer.CleanupJobId));
    }

    [Fact]
    public async Task MissingOrCorruptHangfireDbIsLoggedSetAsideAndRecreatedWithoutLosingData()
    {
        using var data = new TempDirectory();
        var dir = data.Path;
        string oldJob;
        await using (var arranged = new CampaignsApiFactory(dir))
        {
            var admin = arranged.CreateAdminClient();
            oldJob = await admin.StartJobAsync("/api/admin/backups", null);
            await admin.WaitForJobAsync(oldJob);
        }

        // Deleted between starts: the service starts, says so, and creates a new one.
        foreach (var file in Directory.GetFiles(dir, HangfireDatabase.FileName + "*"))
        {
            File.Delete(file);
        }

        await using (var api = new CampaignsApiFactory(dir))
        {
            var admin = api.CreateAdminClient();
            Assert.Equal(12, (await admin.GetCampaignsAsync("?active=true")).Count);
            await WaitForRecurringJobsAsync(api); // the job storage opens once the service is ready
            Assert.True(Logged(api, "not found; creating it"), "the missing file is logged");
            Assert.True(File.Exists(api.HangfireDatabasePath));
            await (await admin.GetAsync(oldJob)).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal("succeeded", (await admin.WaitForJobAsync(await admin.StartJobAsync("/api/admin/backups", null))).GetProperty("state").GetString());
        }

        // Corrupted between starts: moved to quarantine/ like a corrupt campaigns.db, and recreated. Not before the last
        // connection of the stopped host has let go of the file: closing it checkpoints the WAL into it, over the damage.
        await WaitUntilClosedAsync(Path.Combine(dir, HangfireDatabase.FileName));
        await using (var stream = new FileStream(Path.Combine(dir, HangfireDatabase.FileName), FileMode.Open, FileAccess.Write))
        {
            stream.Write(Encoding.ASCII.GetBytes(new string('x', 4096)));
        }

        foreach (var journal in Directory.GetFiles(dir, HangfireDatabase.FileName + "-*"))
        {
            File.Delete(journal);
        }

        await using (var api = new CampaignsApiFactory(dir))
        {
            var admin = api.CreateAdminClient();
            Assert.Equal(12, (await admin.GetCampaignsAsync("?active=true")).Count);
            await WaitForRecurringJobsAsync(api);
            Assert.True(Logged(api, "is corrupt (", Microsoft.Extensions.Logging.LogLevel.Error), "the corrupt file is logged");
            var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(dir, "quarantine"), "hangfire_*.db"));
            Assert.StartsWith(new string('x', 16), File.ReadAllText(quarantined)[..16]);
            Assert.Equal("succeeded", (await admin.WaitForJobAsync(await admin.StartJobAsync("/api/admin/backups", null))).GetProperty("state").GetString());
            Assert.Equal(3, (await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/backups"))!.Count(b => b.GetProperty("trigger").GetString() == "manual")); // one per start: the catalog is not in hangfire.db
        }
    }

    [Fact]
    public async Task ACampaignsRestoreLeavesHangfireDbInPlaceAndBackupsCarryNoJobs()
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();
        var backupUrl = await admin.StartJobAsync("/api/admin/backups", null);
        var backupName = (await admin.WaitForJobAsync(backupUrl)).GetProperty("result").GetProperty("name").GetString()!;
        var inode = Inode(api.HangfireDatabasePath);

        var restoreUrl = await admin.StartJobAsync("/api/admin/restore", new { source = "backup", backup = backupName });
        var restore = await admin.WaitForJobAsync(restoreUrl);

        Assert.Equal("succeeded", restore.GetProperty("state").GetString());
        Assert.Equal("file-swap", restore.GetProperty("result").GetProperty("method").GetString());
        Assert.Equal(inode, Inode(api.HangfireDatabasePath)); // the same file, not a copy swapped in
        Assert.Equal("succeeded", (await admin.GetFromJsonAsync<JsonElement>(backupUrl)).GetProperty("state").GetString());
        Assert.Empty(Directory.GetFiles(api.BackupsDirectory, "hangfire*"));
        using var backupFile = new SqliteConnection($"Data Source={Path.Combine(api.BackupsDirectory, backupName)};Mode=ReadOnly;Pooling=False");
        backupFile.Open();
        using var tables = backupFile.CreateCommand();
        tables.CommandText = "SELECT count(*) FROM sqlite_master WHERE name IN ('Job', 'State', 'JobQueue', 'Hash')";
        Assert.Equal(0L, tables.ExecuteScalar());
    }

    private static bool Logged(CampaignsApiFactory api, string text, Microsoft.Extensions.Logging.LogLevel level = Microsoft.Extensions.Logging.LogLevel.Information) =>
        api.Logs.Entries.Any(e => e.Level == level && e.Category == typeof(HangfireDatabase).FullName
            && e.Message.Contains(api.HangfireDatabasePath, StringComparison.Ordinal) && e.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>Until no descriptor of this process (where every test host runs) has the file open.</summary>
    private static async Task WaitUntilClosedAsync(string path)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            var open = new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
                .Any(fd => fd.LinkTarget is { } target && target.StartsWith(path, StringComparison.Ordinal));
            if (!open)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} was still open 30 s after its host stopped");
        }
    }

    private static async Task WaitForRecurringJobsAsync(CampaignsApiFactory api)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            using var connection = api.Service<JobStorage>().GetConnection();
            var registered = connection.GetRecurringJobs().Select(j => j.Id).Order().ToArray();
            if (registered.SequenceEqual([JobServer.BackupJobId, JobServer.CleanupJobId, RestoreDrillJob.JobId]))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the recurring jobs were not registered again");
        }
    }

    private static HttpClient DashboardClient(CampaignsApiFactory api)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{CampaignsApiFactory.AdminKey}")));
        return client;
    }

    private static string ExtractRow(string page, string recurringJobId)
    {
        var at = page.IndexOf($">{recurringJobId}<", StringComparison.Ordinal);
        Assert.True(at >= 0, $"{recurringJobId} is not on the recurring jobs page");
        var end = page.IndexOf("</tr>", at, StringComparison.Ordinal);
        return page[at..end];
    }

    private static string Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return inode;
    }
}
