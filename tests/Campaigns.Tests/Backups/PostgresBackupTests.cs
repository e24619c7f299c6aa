using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Backups;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Tests.Backups;

public sealed class PostgresBackupTests
{
    [PostgresFact]
    public async Task OnPostgreSqlABackupIsAVerifiedSnapshotThatRestoresDeletedCampaignsWithTheirIds()
    {
        await using var api = new CampaignsApiFactory(provider: DatabaseProvider.PostgreSql);
        var admin = api.CreateAdminClient();
        var created = (await (await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("user-made"))).Content.ReadFromJsonAsync<CampaignDto>())!;

        var backup = await admin.WaitForJobAsync(await StartAsync(admin, "/api/admin/backups", null));
        Assert.Equal("succeeded", backup.GetProperty("state").GetString());
        var name = backup.GetProperty("result").GetProperty("name").GetString()!;
        Assert.EndsWith(BackupNames.SnapshotExtension, name);
        var snapshot = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(api.DataDirectory, "backups", name))).RootElement;
        Assert.Equal(13, snapshot.GetProperty("campaigns").GetArrayLength());
        Assert.Equal(1, snapshot.GetProperty("seedHistory").GetArrayLength());

        await admin.DeleteAsync($"/api/campaigns/{created.Id}");
        var restore = await admin.WaitForJobAsync(await StartAsync(admin, "/api/admin/restore", new { source = "backup", backup = name }));

        Assert.Equal("succeeded", restore.GetProperty("state").GetString());
        var result = restore.GetProperty("result");
        Assert.Equal((12, 13), (result.GetProperty("activeBefore").GetInt32(), result.GetProperty("activeAfter").GetInt32()));
        Assert.Equal(created.Id, (await admin.GetCampaignsAsync()).Single(c => c.Key == "user-made").Id);
        var catalog = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/backups");
        Assert.Equal(["manual", "pre-restore"], catalog!.Select(b => b.GetProperty("trigger").GetString()!));
        Assert.All(catalog!, b => Assert.True(b.GetProperty("verified").GetBoolean()));
        await using (var db = api.CreateDbContext())
        {
            Assert.Equal(1, await db.SeedHistory.CountAsync());
        }

        // Ids came back as they were; the next generated one must not collide with them.
        var after = await admin.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign("after-restore", "After Restore"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    [PostgresFact]
    public async Task OnPostgreSqlASqliteBackupIsRefusedBeforeAnythingIsQueued()
    {
        await using var sqlite = new CampaignsApiFactory();
        var sqliteAdmin = sqlite.CreateAdminClient();
        var sqliteBackup = await sqliteAdmin.WaitForJobAsync(await StartAsync(sqliteAdmin, "/api/admin/backups", null));
        var name = sqliteBackup.GetProperty("result").GetProperty("name").GetString()!;

        // The PostgreSQL deployment shares the data directory, so it sees the SQLite backup in its catalog.
        await using var postgres = new CampaignsApiFactory(sqlite.DataDirectory, provider: DatabaseProvider.PostgreSql);
        var admin = postgres.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/admin/restore", new { source = "backup", backup = name });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("is a SQLite file and this service runs on PostgreSQL", problem.GetProperty("detail").GetString());
        var catalog = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/backups");
        Assert.DoesNotContain(catalog!, b => b.GetProperty("trigger").GetString() == "pre-restore");
        Assert.Equal(12, (await admin.GetCampaignsAsync()).Count);
    }

    private static async Task<string> StartAsync(HttpClient admin, string path, object? body)
    {
        var response = body is null ? await admin.PostAsync(path, null) : await admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("statusUrl").GetString()!;
    }
}
