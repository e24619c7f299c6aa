using System.Net.Http.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Startup;
using Campaigns.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campaigns.Tests.Startup;

public sealed class CleanStopSealTests
{
    private const string Trusted = "as the last clean stop left it";

    [Fact]
    public async Task RedeployAfterACleanStopServesWithoutReadingTheWholeFileAndChecksItsSnapshotOnceReady()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            await first.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"));
            Assert.False(first.Logs.Contains(Trusted)); // a first start has no seal: the whole file is checked
        }

        Assert.True(File.Exists(dir.Combine("campaigns.db" + CleanStopSeal.Extension)));

        await using var redeployed = new CampaignsApiFactory(dir.Path);
        Assert.Contains(await redeployed.CreateClient().GetCampaignsAsync(), c => c.Key == "user-made");
        Assert.True(redeployed.Logs.Contains(Trusted));
        // Taken by the start that read it, so a kill -9 from here on leaves no seal behind.
        Assert.False(File.Exists(dir.Combine("campaigns.db" + CleanStopSeal.Extension)));
        await redeployed.WaitForStartupBackupAsync();
        var startup = Assert.Single(redeployed.Service<BackupCatalog>().List(), b => b.Trigger == BackupTrigger.Startup);
        Assert.True(startup.Verified);
    }

    [Fact]
    public async Task DatabaseWrittenAfterTheCleanStopIsCheckedInFullBeforeServing()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            await first.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"));
        }

        await using (var db = CampaignsApiFactory.CreateDbContext(dir.Combine("campaigns.db")))
        {
            db.Campaigns.Add(SeedFiles.UserCampaign("written-by-hand"));
            await db.SaveChangesAsync();
        }

        await using var redeployed = new CampaignsApiFactory(dir.Path);
        Assert.Contains(await redeployed.CreateClient().GetCampaignsAsync(), c => c.Key == "written-by-hand");
        Assert.False(redeployed.Logs.Contains(Trusted));
    }

    /// <summary>
    /// Under WebApplicationFactory a host is stopped twice (by the factory and by Program's own run loop), at times at
    /// once: the seal vouches only for the file as the first stop left it, never for what it became before the second.
    /// </summary>
    [Fact]
    public async Task AHostStoppedTwiceSealsTheFileOnlyAsTheFirstStopLeftIt()
    {
        using var dir = new TempDirectory();
        var database = dir.Combine("campaigns.db");
        await using var api = new CampaignsApiFactory(dir.Path);
        await api.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"));
        await api.WaitForAfterFirstAnswerWorkAsync();
        var cleanStop = api.Services.GetServices<IHostedService>().OfType<CleanStop>().Single();

        await cleanStop.StoppedAsync(CancellationToken.None);
        Assert.True(File.Exists(database + CleanStopSeal.Extension));
        await using (var db = CampaignsApiFactory.CreateDbContext(database))
        {
            db.Campaigns.Add(SeedFiles.UserCampaign("written-between-the-stops"));
            await db.SaveChangesAsync();
        }

        await cleanStop.StoppedAsync(CancellationToken.None);

        Assert.Null(CleanStopSeal.TakeIfIntact(database));
    }

    [Fact]
    public async Task DamageTheSealCannotSeeIsFoundByTheStartupBackupAndRepairedByTheNextStart()
    {
        using var dir = new TempDirectory();
        var database = dir.Combine("campaigns.db");
        await SeedFiles.ArrangeDatabaseAsync(database, SeedFiles.UserCampaign("user-made"));
        SeedFiles.AddBallast(database, megabytes: 2);
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            await first.WaitForStartupBackupAsync();
        }

        // A bad sector: 64 KiB in the middle (the ballast's overflow pages) change, while the length, the modification
        // time and the first and last pages stay as sealed.
        var sealedAt = File.GetLastWriteTimeUtc(database);
        var length = new FileInfo(database).Length;
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Position = length / 2;
            file.Write(Enumerable.Repeat((byte)0xA5, 64 * 1024).ToArray());
        }

        File.SetLastWriteTimeUtc(database, sealedAt);

        await using (var damaged = new CampaignsApiFactory(dir.Path))
        {
            _ = damaged.Services; // starts the host
            Assert.True(damaged.Logs.Contains(Trusted));
            await damaged.WaitForStartupBackupAsync();
            Assert.True(damaged.Logs.Contains("failed quick_check", LogLevel.Error));
        }

        Assert.False(File.Exists(database + CleanStopSeal.Extension));

        await using var repaired = new CampaignsApiFactory(dir.Path);
        Assert.Contains(await repaired.CreateClient().GetCampaignsAsync(), c => c.Key == "user-made");
        Assert.True(repaired.Logs.Contains("is corrupt", LogLevel.Error));
        Assert.Single(Directory.GetFiles(dir.Combine("quarantine"), "campaigns_*.db"));
    }
}
