using System.Net;
using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.Jobs;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Doctor;

public sealed class RestoreDrillTests
{
    [Fact]
    public async Task StartupBackupIsDrilledInTheBackgroundAndHealthShowsTheLastDrill()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            Assert.Equal(12, (await first.CreateClient().GetCampaignsAsync()).Count);
        }

        // The redeploy backs up the database it finds, then drills that backup without holding up the start.
        await using var api = new CampaignsApiFactory(dir.Path);
        using var client = api.CreateClient();
        await api.WaitForStartupBackupAsync(); // it runs once the service is ready
        var newest = api.Service<BackupCatalog>().List().First();
        Assert.Equal(BackupTrigger.Startup, newest.Trigger);

        var backups = await WaitForAsync(client, b => b.GetProperty("lastDrill").ValueKind == JsonValueKind.Object);
        var drill = backups.GetProperty("lastDrill");
        Assert.Equal(newest.Name, drill.GetProperty("backup").GetString());
        Assert.True(drill.GetProperty("ok").GetBoolean());
        Assert.True(drill.GetProperty("newest").GetBoolean());
        Assert.Equal(12, drill.GetProperty("activeCampaigns").GetInt32());
        Assert.True(api.Service<BackupCatalog>().Find(newest.Name)!.LastDrill!.Ok, "the outcome is recorded in the backup's sidecar");
    }

    [Fact]
    public async Task DrillsQueuedByStartsDrillTheNewestBackupOnceAndTheWeeklyDrillAgain()
    {
        await using var api = new CampaignsApiFactory();
        var entry = await api.Service<BackupService>().CreateAsync(BackupTrigger.Manual);
        using var scope = api.Services.CreateScope();
        var job = scope.ServiceProvider.GetRequiredService<RestoreDrillJob>();
        int Drills() => api.Logs.Entries.Count(e => e.Message.StartsWith("Restore drill of backup") && e.Message.Contains(entry.Name) && e.Message.Contains("passed"));

        // Starts that stopped before their job server ran the drill they queued: the next server runs them all.
        await job.RunOnStartBackupAsync(CancellationToken.None);
        await job.RunOnStartBackupAsync(CancellationToken.None);
        await job.RunOnStartBackupAsync(CancellationToken.None);
        Assert.Equal(1, Drills());

        await job.RunAsync(CancellationToken.None); // the weekly drill checks the newest backup again
        Assert.Equal(2, Drills());
    }

    [Theory]
    [InlineData(false, "checksum mismatch")]
    [InlineData(true, "")]
    public async Task DrillFailsOnADamagedBackupAndHealthAndDoctorSayItIsAtRisk(bool damageMatchesTheSidecar, string expectedProblem)
    {
        await using var api = new CampaignsApiFactory();
        using var admin = api.CreateAdminClient();
        var entry = await api.Service<BackupService>().CreateAsync(BackupTrigger.Manual);
        var path = Path.Combine(api.BackupsDirectory, entry.Name);
        var bytes = await File.ReadAllBytesAsync(path);
        // Pages 2 and 3 (the tables' b-trees) overwritten: the header still says SQLite, the content is gone.
        Array.Fill(bytes, (byte)0xA5, 4096, 8192);
        await File.WriteAllBytesAsync(path, bytes);
        if (damageMatchesTheSidecar)
        {
            // Damaged before it was hashed (a bad disk under the copy): only restoring and opening it finds out.
            var sidecar = BackupNames.SidecarOf(path);
            await File.WriteAllTextAsync(sidecar, (await File.ReadAllTextAsync(sidecar)).Replace(entry.Sha256!, SqliteFile.Sha256Of(path)));
        }

        var drilled = await api.Service<RestoreDrill>().RunOnNewestAsync();

        Assert.NotNull(drilled);
        Assert.Equal(entry.Name, drilled.Backup.Name);
        Assert.False(drilled.Outcome.Ok);
        Assert.Contains(expectedProblem, drilled.Outcome.Problem);
        Assert.False(api.Service<BackupCatalog>().Find(entry.Name)!.LastDrill!.Ok);

        using var health = JsonDocument.Parse(await admin.GetStringAsync("/health"));
        var backups = health.RootElement.GetProperty("backups");
        Assert.Equal("Degraded", backups.GetProperty("status").GetString());
        Assert.Contains($"The newest backup {entry.Name} failed its restore drill", backups.GetProperty("description").GetString());
        Assert.False(backups.GetProperty("lastDrill").GetProperty("ok").GetBoolean());

        var doctor = await admin.GetAsync("/api/admin/doctor");
        Assert.Equal(HttpStatusCode.OK, doctor.StatusCode);
        using var report = JsonDocument.Parse(await doctor.Content.ReadAsStringAsync());
        Assert.Equal("at-risk", report.RootElement.GetProperty("verdict").GetString());
        var finding = report.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("check").GetString() == "restore-drill");
        Assert.Equal("at-risk", finding.GetProperty("state").GetString());
        Assert.Contains($"Backup {entry.Name} failed its restore drill", finding.GetProperty("detail").GetString());
        Assert.Contains("campaigns-seed backup", finding.GetProperty("fix").GetString());
    }

    [Fact]
    public async Task DoctorEndpointIsForAdminsAndReportsEveryCheckWithItsFix()
    {
        await using var api = new CampaignsApiFactory();

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/admin/doctor")).StatusCode);

        using var report = JsonDocument.Parse(await api.CreateAdminClient().GetStringAsync("/api/admin/doctor"));
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToDictionary(f => f.GetProperty("check").GetString()!);
        // Development on a plain temp directory: not a volume is a warning here (it would be at risk in Production).
        Assert.Equal("safe", report.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("warning", findings["volume"].GetProperty("state").GetString());
        Assert.Contains("Attach a persistent volume", findings["volume"].GetProperty("fix").GetString());
        Assert.Contains(api.DatabasePath, findings["data-directory"].GetProperty("detail").GetString());
        Assert.Contains("chosen by DATA_DIR", findings["data-directory"].GetProperty("detail").GetString());
        Assert.Equal("ok", findings["database"].GetProperty("state").GetString());
        Assert.Equal("ok", findings["schema"].GetProperty("state").GetString());
        Assert.Equal("ok", findings["campaigns"].GetProperty("state").GetString());
        Assert.Equal("ok", findings["seed"].GetProperty("state").GetString());
        Assert.Equal("warning", findings["newest-backup"].GetProperty("state").GetString());
        Assert.All(findings.Values.Where(f => f.GetProperty("state").GetString() != "ok"),
            f => Assert.False(string.IsNullOrEmpty(f.GetProperty("fix").GetString())));
    }

    [Fact]
    public async Task RestoreDrillIsARecurringJobOnItsOwnSchedule()
    {
        await using var api = new CampaignsApiFactory(settings: new Dictionary<string, string?> { ["Backups:DrillSchedule"] = "30 4 * * 1" });
        await api.WaitForJobServerAsync();

        using var connection = api.Service<Hangfire.JobStorage>().GetConnection();
        var drill = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == "restore-drill");
        Assert.Equal("30 4 * * 1", drill.Cron);
    }

    [PostgresFact]
    public async Task DoctorOnPostgreSqlNamesTheServerButNeverThePassword()
    {
        await using var api = new CampaignsApiFactory(environment: "Production", provider: Api.Storage.DatabaseProvider.PostgreSql);

        var text = await api.CreateAdminClient().GetStringAsync("/api/admin/doctor");

        using var report = JsonDocument.Parse(text);
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToDictionary(f => f.GetProperty("check").GetString()!);
        var server = findings["postgresql"];
        Assert.Equal("ok", server.GetProperty("state").GetString());
        Assert.Contains("Connected to PostgreSQL", server.GetProperty("detail").GetString());
        Assert.Contains("chosen by DATABASE_URL", server.GetProperty("detail").GetString());
        Assert.Equal("ok", findings["schema"].GetProperty("state").GetString());
        Assert.Equal("ok", findings["campaigns"].GetProperty("state").GetString());
        Assert.False(findings.ContainsKey("volume"), "no local volume is needed on PostgreSQL");
        var password = new Npgsql.NpgsqlConnectionStringBuilder(
            Api.Storage.DatabaseTarget.ParsePostgresUrl(api.DatabaseUrl!, "test").ConnectionString).Password;
        Assert.False(string.IsNullOrEmpty(password));
        Assert.DoesNotContain(password, text);
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, Func<JsonElement, bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            using var health = JsonDocument.Parse(await client.GetStringAsync("/health"));
            var backups = health.RootElement.GetProperty("backups").Clone();
            if (condition(backups))
            {
                return backups;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s; backups: {backups}");
        }
    }
}
