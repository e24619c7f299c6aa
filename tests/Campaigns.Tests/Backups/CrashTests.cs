using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Backups;

public sealed class CrashTests
{
    [Fact]
    public async Task KillDuringABackupLeavesNoBackupWithoutAValidSidecarAndTheNextStartCleansUp()
    {
        using var dir = new TempDirectory();
        var database = dir.Combine("campaigns.db");
        await SeedFiles.ArrangeDatabaseAsync(database, SeedFiles.UserCampaign("existing"));
        SeedFiles.AddBallast(database, megabytes: 32); // makes the startup backup last long enough to be caught in the act
        var backups = dir.Combine("backups");

        await using (var api = ApiProcess.Start(dir.Path))
        {
            var temporary = await WaitForAsync(() => Directory.Exists(backups) && Directory.GetFiles(backups, "*.tmp*").Length > 0);
            Assert.True(temporary, $"no backup in progress was seen:\n{api.Output}");
            api.Kill();
        }

        var interrupted = Directory.GetFiles(backups, "*.tmp*");
        Assert.NotEmpty(interrupted);
        AssertEveryBackupHasAValidSidecar(backups);

        await using (var api = ApiProcess.Start(dir.Path))
        {
            await api.WaitUntilReadyAsync();
            Assert.All(interrupted, file => Assert.False(File.Exists(file), $"{file} is still there once the service is ready"));
            Assert.Contains("temporary file of an interrupted backup", api.Output);
            // The new start's own backup follows readiness, in the background.
            Assert.True(await WaitForAsync(() => Directory.GetFiles(backups, "*.sqlite").Length == 1 && Directory.GetFiles(backups, "*.tmp*").Length == 0),
                $"the new start's backup was not published:\n{api.Output}");
            Assert.Single(Directory.GetFiles(backups, "*.sqlite"));
            AssertEveryBackupHasAValidSidecar(backups);
        }
    }

    private static void AssertEveryBackupHasAValidSidecar(string backups)
    {
        foreach (var backup in Directory.GetFiles(backups, "*.sqlite"))
        {
            var sidecar = JsonSerializer.Deserialize<BackupEntry>(File.ReadAllBytes(backup + ".json"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Equal(Path.GetFileName(backup), sidecar.Name);
            Assert.Equal(sidecar.Sha256, SqliteFile.Sha256Of(backup));
        }
    }

    /// <summary>Watches the file system for a condition (not a sleep standing in for synchronisation).</summary>
    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(1);
        }

        return false;
    }
}
