using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Hangfire;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Backups;

public sealed class RestoreApiTests
{
    [Fact]
    public async Task RestoreOfAChosenBackupBringsBackAUserCreatedCampaign()
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"))).Content.ReadFromJsonAsync<JsonElement>();

        var backupJob = await admin.WaitForJobAsync(await StartAsync(admin, "/api/admin/backups", null, "backup"));
        Assert.Equal("succeeded", backupJob.GetProperty("state").GetString());
        var backupName = backupJob.GetProperty("result").GetProperty("name").GetString()!;

        await admin.DeleteAsync($"/api/campaigns/{created.GetProperty("id").GetInt32()}");
        var statusUrl = await StartAsync(admin, "/api/admin/restore", new { source = "backup", backup = backupName }, "restore");
        var job = await admin.WaitForJobAsync(statusUrl);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal("backup", job.GetProperty("source").GetString());
        var result = job.GetProperty("result");
        Assert.Equal((12, 13), (result.GetProperty("activeBefore").GetInt32(), result.GetProperty("activeAfter").GetInt32()));
        Assert.Equal("restore", result.GetProperty("topUp").GetProperty("trigger").GetString());
        Assert.Contains(await admin.GetCampaignsAsync(), c => c.Key == "user-made");
        using (var live = SqliteFile.Open(api.DatabasePath, SqliteOpenMode.ReadOnly))
        using (var journal = live.CreateCommand())
        {
            journal.CommandText = "PRAGMA journal_mode;";
            Assert.Equal("wal", journal.ExecuteScalar());
        }

        Assert.Equal("file-swap", result.GetProperty("method").GetString());
        await api.WaitForVerifiedBackupAsync(result.GetProperty("preRestoreBackup").GetString()!);
        var catalog = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/backups");
        // The restored backup holds the live state again, newer than the pre-restore backup taken just before: it
        // comes first, marked restored, and the restore copied the database no second time.
        Assert.Equal(["manual", "pre-restore"], catalog!.Select(b => b.GetProperty("trigger").GetString()!));
        Assert.Equal(backupName, catalog![0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, catalog[0].GetProperty("restoredAt").ValueKind);
        Assert.Equal(result.GetProperty("preRestoreBackup").GetString(), catalog[1].GetProperty("name").GetString());

        var download = await admin.GetAsync(catalog[0].GetProperty("downloadUrl").GetString());
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(backupName, download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(catalog[0].GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(await download.Content.ReadAsByteArrayAsync())));
        // The pre-restore backup is hashed after the swap; once verified, its sidecar holds the sha256 of its bytes.
        var preRestore = await admin.GetByteArrayAsync(catalog[1].GetProperty("downloadUrl").GetString());
        Assert.Equal(catalog[1].GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(preRestore)));

        var health = await admin.GetFromJsonAsync<JsonElement>("/health");
        var backups = health.GetProperty("backups");
        Assert.Equal((2, "Healthy"), (backups.GetProperty("count").GetInt32(), backups.GetProperty("status").GetString()));
        Assert.Equal(catalog[0].GetProperty("name").GetString(), backups.GetProperty("newest").GetProperty("name").GetString());
        Assert.True(backups.GetProperty("newest").GetProperty("verified").GetBoolean());
        Assert.Equal("0 2 * * *", backups.GetProperty("schedule").GetString());
        Assert.Equal("restore", backups.GetProperty("lastRecovery").GetProperty("kind").GetString());
        Assert.Equal("running", health.GetProperty("jobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task RestoreEndpointsRefuseBadRequestsBeforeQueueingAndRunOneRestoreAtATime()
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();

        await (await api.CreateClient().PostAsJsonAsync("/api/admin/restore", new { source = "canonical" })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.CreateClient().PostAsync("/api/emergency-restore-12-campaigns", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await admin.PostAsJsonAsync("/api/admin/restore", new { })).AssertValidationErrorAsync("source");
        await (await admin.PostAsync("/api/admin/restore", null)).AssertValidationErrorAsync("source");
        await (await admin.PostAsJsonAsync("/api/admin/restore", new { source = "yesterday" })).AssertValidationErrorAsync("source");
        await (await admin.PostAsJsonAsync("/api/admin/restore", new { source = "backup" })).AssertValidationErrorAsync("backup");
        await (await admin.PostAsJsonAsync("/api/admin/restore", new { source = "backup", backup = "../campaigns.db" })).AssertValidationErrorAsync("backup");
        await (await admin.PostAsJsonAsync("/api/admin/restore", new { source = "backup", backup = "campaigns_backup_20200101_000000_000.sqlite" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsJsonAsync("/api/admin/restore", new { source = "latest-backup" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/admin/backups/..%2Fcampaigns.db")).AssertValidationErrorAsync("name");
        await (await admin.GetAsync("/api/admin/backups/campaigns_backup_20200101_000000_000.sqlite")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/admin/jobs/0123456789abcdef0123456789abcdef")).AssertProblemAsync(HttpStatusCode.NotFound);
        using (var jobs = api.Service<JobStorage>().GetConnection())
        {
            Assert.Null(jobs.GetJobData("1")); // nothing was queued: Hangfire numbers jobs from 1
        }

        var held = api.Jobs.Hold();
        try
        {
            var first = await StartAsync(admin, "/api/emergency-restore-12-campaigns", null, "restore");
            await admin.WaitForJobStateAsync(first, "processing");

            var second = await admin.PostAsJsonAsync("/api/admin/restore", new { source = "canonical" });
            var conflict = await second.AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Contains(first.Split('/').Last(), conflict.GetProperty("detail").GetString());
            await (await admin.PostAsync("/api/emergency-restore-12-campaigns", null)).AssertProblemAsync(HttpStatusCode.Conflict);

            held.Dispose();
            var job = await admin.WaitForJobAsync(first);
            Assert.Equal(("succeeded", "canonical"), (job.GetProperty("state").GetString(), job.GetProperty("source").GetString()));
            Assert.Equal(12, job.GetProperty("result").GetProperty("activeAfter").GetInt32());
        }
        finally
        {
            held.Dispose();
        }

        await admin.WaitForJobAsync(await StartAsync(admin, "/api/admin/restore", new { source = "canonical" }, "restore"));
    }

    [Fact]
    public async Task HangfireDashboardNeedsTheAdminKeyAsBasicPassword()
    {
        await using var api = new CampaignsApiFactory();
        var anonymous = await api.CreateClient().GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString());

        var browser = api.CreateClient();
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{CampaignsApiFactory.AdminKey}")));
        var dashboard = await browser.GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var page = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("backup-database", page);
        Assert.Contains("cleanup", page);
    }

    /// <summary>Posts, checks the 202 job contract (body and Location), and returns the status URL.</summary>
    private static async Task<string> StartAsync(HttpClient admin, string path, object? body, string kind)
    {
        var response = body is null ? await admin.PostAsync(path, null) : await admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var accepted = JsonDocument.Parse(text).RootElement;
        var jobId = accepted.GetProperty("jobId").GetString()!;
        Assert.Equal(kind, accepted.GetProperty("kind").GetString());
        Assert.Equal("enqueued", accepted.GetProperty("state").GetString());
        Assert.Equal($"/api/admin/jobs/{jobId}", accepted.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/admin/jobs/{jobId}", response.Headers.Location?.OriginalString);
        return accepted.GetProperty("statusUrl").GetString()!;
    }
}
