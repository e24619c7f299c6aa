using Campaigns.Api.Backups;
using Campaigns.Api.Startup;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Campaigns.Tests.Startup;

public sealed class StartupBackupTests
{
    private const string FirstMigration = "20261123093935_InitialCreate";

    [Fact]
    public async Task StartupBacksUpTheOldSchemaBeforeMigratingIt()
    {
        using var dir = new TempDirectory();
        var database = dir.Combine("campaigns.db");
        await using (var db = CampaignsApiFactory.CreateDbContext(database))
        {
            await db.GetService<IMigrator>().MigrateAsync(FirstMigration);
            db.Campaigns.Add(SeedFiles.UserCampaign("from-an-older-deploy"));
            await db.SaveChangesAsync();
        }

        await using var api = new CampaignsApiFactory(dir.Path);
        var backup = Assert.Single(api.Service<BackupCatalog>().List()); // taken before the host reported started

        Assert.Equal(BackupTrigger.Startup, backup.Trigger);
        Assert.Equal(FirstMigration, backup.SchemaVersion);
        Assert.Equal(1, backup.TotalCampaigns);
        await using var live = CampaignsApiFactory.CreateDbContext(database);
        Assert.Empty(await live.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task StartupWithNothingToMigrateBacksUpOnceReady()
    {
        using var dir = new TempDirectory();
        await SeedFiles.ArrangeDatabaseAsync(dir.Combine("campaigns.db"), SeedFiles.UserCampaign("existing"));

        await using var api = new CampaignsApiFactory(dir.Path);
        await api.WaitForStartupBackupAsync();

        var backup = Assert.Single(api.Service<BackupCatalog>().List());
        Assert.Equal(BackupTrigger.Startup, backup.Trigger);
        Assert.True(backup.Verified);
        var messages = api.Logs.Entries.Select(e => e.Message).ToList();
        var ready = messages.FindIndex(m => m.StartsWith("Campaigns healthy") || m.StartsWith("Reseed"));
        var backingUp = messages.FindIndex(m => m.StartsWith("Backing up"));
        Assert.True(ready >= 0 && backingUp > ready, $"the startup backup began before the top-up that precedes readiness:\n{string.Join('\n', messages)}");
    }

    [Fact]
    public async Task TheStartupBackupWaitsForTheServicesFirstAnswer()
    {
        using var dir = new TempDirectory();
        await SeedFiles.ArrangeDatabaseAsync(dir.Combine("campaigns.db"), SeedFiles.UserCampaign("existing"));

        // Without a request it would wait a second: long enough here that a slow machine cannot pass the wait by itself.
        await using var api = new CampaignsApiFactory(dir.Path, new Dictionary<string, string?> { ["Storage:FirstAnswerWaitMilliseconds"] = "120000" });
        _ = api.Server;
        // Ready, but nobody has been answered yet: the cores are still the platform's health probe's.
        Assert.False(api.Service<StartupBackup>().Completion.IsCompleted);
        Assert.Empty(api.Service<BackupCatalog>().List());

        var health = await api.CreateClient().GetAsync("/health");
        Assert.True(health.IsSuccessStatusCode, $"/health answered {(int)health.StatusCode}");
        await api.WaitForStartupBackupAsync();

        var messages = api.Logs.Entries.Select(e => e.Message).ToList();
        var answered = messages.FindIndex(m => m.StartsWith("HTTP") && m.Contains("/health") && m.Contains("responded 200"));
        var backingUp = messages.FindIndex(m => m.StartsWith("Backing up"));
        Assert.True(answered >= 0 && backingUp > answered, $"the startup backup began before the first answer:\n{string.Join('\n', messages)}");
        Assert.Single(api.Service<BackupCatalog>().List());
    }
}
