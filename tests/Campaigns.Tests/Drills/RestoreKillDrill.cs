using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Campaigns.Tests.Drills;

/// <summary>
/// Fault drill: the service is killed with SIGKILL at a random moment of a restore job (verification, pre-restore
/// backup, copy, top-up). After each restart the database passes integrity_check and holds either the data from
/// before the restore or the restored data, never a mix; no temporary file or backup without a sidecar is left; the
/// interrupted job reads as failed. DRILL_KILLS raises the number of kills (default 3).
/// </summary>
public sealed class RestoreKillDrill(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Settings = new() { ["Backups__Keep"] = "100" };

    [Fact]
    public async Task KillDuringARestoreLeavesTheOldDataOrTheNewAndNoHalfFiles()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("DRILL_KILLS"), out var n) && n > 0 ? Math.Max(1, n / 2) : 3;
        using var data = new TempDirectory("campaigns-drill");
        var database = data.Combine("campaigns.db");
        await SeedFiles.ArrangeDatabaseAsync(database, SeedFiles.UserCampaign("in-backup"));
        SeedFiles.AddBallast(database, megabytes: 24); // long enough a restore for a random kill to land inside it

        string backup;
        await using (var api = ApiProcess.Start(data.Path, Settings))
        {
            await api.WaitUntilReadyAsync();
            using var admin = api.CreateClient(admin: true);
            backup = (await admin.WaitForBackupsAsync())[0].GetProperty("name").GetString()!; // the startup backup
        }

        var random = new Random();
        var outcomes = new Dictionary<string, int> { ["old data"] = 0, ["restored data"] = 0 };
        for (var round = 1; round <= kills; round++)
        {
            string jobId;
            await using (var api = ApiProcess.Start(data.Path, Settings))
            {
                await api.WaitUntilReadyAsync();
                using var admin = api.CreateClient(admin: true);
                var marker = await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign($"after-backup-{round}"));
                Assert.Equal(HttpStatusCode.Created, marker.StatusCode);

                var accepted = await admin.PostAsJsonAsync("/api/admin/restore", new { source = "backup", backup });
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
                jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
                await Task.Delay(random.Next(0, 2500));
                api.Kill();
            }

            await using (var api = ApiProcess.Start(data.Path, Settings))
            {
                await api.WaitUntilReadyAsync();
                using var admin = api.CreateClient(admin: true);
                var job = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/jobs/{jobId}");
                var keys = (await admin.GetCampaignsAsync()).Select(c => c.Key).ToHashSet();
                Assert.Contains("in-backup", keys);
                var restored = !keys.Contains($"after-backup-{round}");
                outcomes[restored ? "restored data" : "old data"]++;
                Assert.True(restored || job.GetProperty("state").GetString() != "succeeded", "the job succeeded but the data is the old one");
                Assert.NotEqual("processing", job.GetProperty("state").GetString());
                Assert.Equal(12, (await admin.GetCampaignsAsync("?active=true")).Count(c => c.Source == "canonical"));
                // This start's own backup and its drill follow readiness: let them finish before the process is killed below.
                await WaitForStartupBackupAsync(admin);
            }

            AssertIntact(database);
            AssertNoHalfWrittenBackups(data.Combine("backups"));
        }

        output.WriteLine($"{kills} kills during restores: {outcomes["old data"]} left the old data, {outcomes["restored data"]} the restored data, 0 corrupt");
    }

    private static void AssertIntact(string database)
    {
        using (var connection = SqliteFile.Open(database, SqliteOpenMode.ReadOnly))
        {
            Assert.Equal("ok", SqliteFile.Check(connection));
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// Until /health reports this process's startup backup finished and drilled (the drill that follows it rewrites its
    /// sidecar), so the kill that ends the round lands in neither.
    /// </summary>
    private static async Task WaitForStartupBackupAsync(HttpClient admin)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(90); ; await Task.Delay(50))
        {
            var backups = (await admin.GetFromJsonAsync<JsonElement>("/health")).GetProperty("backups");
            var attempt = backups.GetProperty("lastAttempt");
            if (attempt.ValueKind == JsonValueKind.Object && attempt.GetProperty("trigger").GetString() == "startup"
                && (!attempt.GetProperty("succeeded").GetBoolean()
                    || (backups.GetProperty("lastDrill") is { ValueKind: JsonValueKind.Object } drill
                        && drill.GetProperty("backup").GetString() == attempt.GetProperty("name").GetString())))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the startup backup of the running service and its drill did not finish within 90 s");
        }
    }

    private static void AssertNoHalfWrittenBackups(string backups)
    {
        var leftovers = Directory.GetFiles(backups, "*.tmp*").Select(Path.GetFileName).ToList();
        Assert.True(leftovers.Count == 0, $"half-written files in backups/: {string.Join(", ", leftovers)}");
        foreach (var file in Directory.GetFiles(backups, "*.sqlite"))
        {
            var sidecar = JsonSerializer.Deserialize<BackupEntry>(File.ReadAllBytes(file + ".json"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Equal(sidecar.Sha256, SqliteFile.Sha256Of(file));
        }
    }
}
