using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Campaigns;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.Seeding;

public sealed class StartupTopUpTests
{
    [Fact]
    public async Task FreshStartServesTwelveActiveCampaignsAndNoPrizies()
    {
        await using var api = new CampaignsApiFactory();
        var campaigns = await api.CreateClient().GetCampaignsAsync();

        Assert.Equal(12, campaigns.Count);
        Assert.All(campaigns, c => Assert.True(c.Active));
        Assert.Contains(campaigns, c => c is { Name: "Trading Tips", Property: "mmm" });
        Assert.Contains(campaigns, c => c is { Name: "Behind The Markets", Property: "mmm" });
        Assert.DoesNotContain(campaigns, c => c.Key == "prizies" || c.Name.Equals("Prizies", StringComparison.OrdinalIgnoreCase));
        Assert.All(campaigns, c => Assert.Equal("canonical", c.Source));
    }

    [Fact]
    public async Task StartupRestoresMissingCanonicalCampaigns()
    {
        using var dir = new TempDirectory();
        var canonical = SeedFiles.Canonical().Campaigns;
        var prizies = SeedFiles.UserCampaign("prizies");
        prizies.Name = "Prizies";
        var prizesByName = SeedFiles.UserCampaign("prizies-2024");
        prizesByName.Name = "PRIZIES";
        await SeedFiles.ArrangeDatabaseAsync(
            Path.Combine(dir.Path, "campaigns.db"),
            [
                .. canonical.Take(7).Select(c => SeedFiles.FromCanonical(c)),
                SeedFiles.FromCanonical(canonical[7], active: false),
                prizies,
                prizesByName,
                SeedFiles.UserCampaign("user-paused", active: false),
            ]);

        await using var api = new CampaignsApiFactory(dir.Path);
        var campaigns = await api.CreateClient().GetCampaignsAsync();

        Assert.DoesNotContain(campaigns, c => c.Name.Equals("Prizies", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(12, campaigns.Count(c => c.Active));
        Assert.True(campaigns.Single(c => c.Key == canonical[7].Key).Active, "inactive canonical campaign is reactivated");
        var userCampaign = campaigns.Single(c => c.Key == "user-paused");
        Assert.False(userCampaign.Active);
        Assert.Equal("usr", userCampaign.Property);

        await using var db = api.CreateDbContext();
        var history = await db.SeedHistory.SingleAsync();
        Assert.Equal(("startup", 4, 1, 2), (history.Trigger, history.Inserted, history.Reactivated, history.Removed));
        Assert.Equal(64, history.FileSha256.Length);
        Assert.True(api.Logs.Contains("Removed retired campaigns"));
    }

    [Fact]
    public async Task SecondStartChangesNothing()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            _ = await first.CreateClient().GetCampaignsAsync();
        }

        List<CampaignDto> before;
        await using (var db = CampaignsApiFactory.CreateDbContext(Path.Combine(dir.Path, "campaigns.db")))
        {
            before = await db.Campaigns.OrderBy(c => c.Id).Select(c => CampaignDto.From(c)).ToListAsync();
        }

        await using var second = new CampaignsApiFactory(dir.Path);
        var after = await second.CreateClient().GetCampaignsAsync();

        Assert.Equal(before.Select(c => (c.Id, c.Key, c.Active, c.UpdatedAt)), after.OrderBy(c => c.Id).Select(c => (c.Id, c.Key, c.Active, c.UpdatedAt)));
        await using var check = second.CreateDbContext();
        Assert.Equal(1, await check.SeedHistory.CountAsync());
        Assert.True(second.Logs.Contains("healthy with 12 active campaigns"), string.Join("\n", second.Logs.Entries.Select(e => e.Message)));
    }

    [Fact]
    public async Task RedeployKeepsCampaignsCreatedBeforeIt()
    {
        using var dir = new TempDirectory();
        int id;
        await using (var before = new CampaignsApiFactory(dir.Path))
        {
            var created = await before.CreateAdminClient().PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign());
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.Content.ReadFromJsonAsync<CampaignDto>())!.Id;
        }

        await using var after = new CampaignsApiFactory(dir.Path);
        var campaign = await after.CreateClient().GetFromJsonAsync<CampaignDto>($"/api/campaigns/{id}");

        Assert.Equal("spring-sale", campaign!.Key);
        Assert.Equal(13, (await after.CreateClient().GetCampaignsAsync()).Count);
    }

    [Fact]
    public async Task InvalidCanonicalFileKeepsServingAndReportsTheProblem()
    {
        using var dir = new TempDirectory();
        var seedFile = dir.Combine("broken-seed.json");
        await File.WriteAllTextAsync(seedFile, """{ "version": 2, "expectedActive": 12, "retired": [], "campaigns": [ { "key": "Not A Slug" } ] }""");
        await SeedFiles.ArrangeDatabaseAsync(dir.Combine("campaigns.db"), SeedFiles.UserCampaign("only-one"));

        await using var api = new CampaignsApiFactory(dir.Path, new Dictionary<string, string?> { ["Seeding:CanonicalFile"] = seedFile });
        var client = api.CreateClient();
        var campaigns = await client.GetCampaignsAsync();

        Assert.Equal(["only-one"], campaigns.Select(c => c.Key));
        var health = await client.GetAsync("/health");
        var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Degraded", report.GetProperty("seed").GetProperty("status").GetString());
        Assert.Contains(report.GetProperty("seed").GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("$.campaigns[0].key"));
        Assert.True(api.Logs.Contains(seedFile));
    }

    [Fact]
    public async Task AdminReseedAndLegacyAliasPutDeactivatedCampaignsBack()
    {
        await using var api = new CampaignsApiFactory();
        var admin = api.CreateAdminClient();
        var campaigns = await admin.GetCampaignsAsync();
        await using (var db = api.CreateDbContext())
        {
            await db.Campaigns.Where(c => c.Key == campaigns[0].Key || c.Key == campaigns[1].Key)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Active, false));
        }

        var response = await admin.PostAsync("/api/admin/reseed", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(10, summary.GetProperty("activeBefore").GetInt32());
        Assert.Equal(12, summary.GetProperty("activeAfter").GetInt32());
        Assert.Equal(2, summary.GetProperty("reactivated").GetArrayLength());

        // The legacy alias is now the canonical restore job (see Backups/RestoreApiTests for the full contract).
        var legacy = await admin.PostAsync("/api/emergency-restore-12-campaigns", null);
        Assert.Equal(HttpStatusCode.Accepted, legacy.StatusCode);
        var job = await admin.WaitForJobAsync(legacy.Headers.Location!.OriginalString);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
    }
}
