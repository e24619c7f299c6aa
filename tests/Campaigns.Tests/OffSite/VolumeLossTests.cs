using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Api.Campaigns;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Campaigns.Tests.OffSite;

/// <summary>The volume is lost (the data directory wiped) and the service starts on an empty one: the store brings everything back.</summary>
public sealed class VolumeLossTests(ITestOutputHelper output)
{
    [S3Fact]
    public async Task AnEmptyVolumeStartsWithTheNewestAcknowledgedStateFromTheStore()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        int editedId, deletedId;
        using (var first = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            using var client = first.CreateAdminClient();
            editedId = await CreateAsync(client, "kept-and-edited");
            deletedId = await CreateAsync(client, "deleted-later");
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/campaigns/{editedId}", HttpAssertions.NewCampaign("kept-and-edited", "Edited name"))).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/campaigns/{deletedId}")).StatusCode);
        }

        WipeVolume(data.Path);
        using var second = new CampaignsApiFactory(data.Path, s3.Settings());
        using var after = second.CreateAdminClient();
        var campaigns = await after.GetCampaignsAsync("?limit=100");
        Assert.Equal("Edited name", Assert.Single(campaigns, c => c.Key == "kept-and-edited").Name);
        Assert.Equal(editedId, campaigns.Single(c => c.Key == "kept-and-edited").Id);
        Assert.DoesNotContain(campaigns, c => c.Key == "deleted-later");
        Assert.Equal(12, campaigns.Count(c => c.Active && c.Key != "kept-and-edited"));

        var health = await after.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("offsite-restored", health.GetProperty("backups").GetProperty("lastRecovery").GetProperty("kind").GetString());
        Assert.True(second.Logs.Contains("restoring the newest acknowledged state"));
        // The fresh start is a lineage of its own; the first one's history is still there.
        Assert.Equal(2, s3.Keys().Count(k => k.StartsWith("campaigns/lineages/", StringComparison.Ordinal)));
    }

    [S3Fact]
    public async Task WithTheStoreDownAnEmptyVolumeStaysNotReadyAndComesUpWithAllDataOnceItIsBack()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory();
        using (var first = new CampaignsApiFactory(data.Path, s3.Settings()))
        {
            using var client = first.CreateAdminClient();
            await CreateAsync(client, "must-come-back");
        }

        WipeVolume(data.Path);
        s3.Stop();
        await using var api = ApiProcess.Start(data.Path, s3.EnvironmentVariables());
        using var client2 = api.CreateClient();
        JsonElement health = default;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            try
            {
                using var response = await client2.GetAsync("/health");
                health = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (health.TryGetProperty("offSite", out var block) && block.GetProperty("status").GetString() == "Unhealthy")
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }

        Assert.Contains("off-site store cannot be asked", health.GetProperty("offSite").GetProperty("description").GetString());
        await Task.Delay(2000); // it keeps retrying; it must not give up and serve a reset dataset meanwhile
        var gated = await client2.GetAsync("/api/campaigns");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gated.StatusCode);
        Assert.False(File.Exists(Path.Combine(data.Path, "campaigns.db")) && CountCampaigns(data.Path) > 0, "a reset dataset was written while the store was away");

        s3.Start();
        await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        var campaigns = await client2.GetFromJsonAsync<List<CampaignDto>>("/api/campaigns?limit=100");
        Assert.Contains(campaigns!, c => c.Key == "must-come-back");
    }

    [S3Fact]
    public async Task EveryAcknowledgedWriteSurvivesKillDashNineAndAWipedVolume()
    {
        using var s3 = new TestS3();
        using var data = new TempDirectory("campaigns-offsite-drill");
        // key -> name of the last acknowledged state, or null once its delete was acknowledged
        var acknowledged = new ConcurrentDictionary<string, string?>();
        var unknown = new ConcurrentDictionary<string, bool>(); // writes in flight when the process died: either outcome is fine
        const int rounds = 2;
        for (var round = 1; round <= rounds; round++)
        {
            await using var api = ApiProcess.Start(data.Path, s3.EnvironmentVariables(writeTimeoutSeconds: 10));
            await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            AssertAllThere(data.Path, acknowledged, unknown, $"after wipe {round - 1}");

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                using var client = api.CreateClient(admin: true);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"drill-{round}-{w}-{i}";
                    unknown[key] = true;
                    try
                    {
                        using var created = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign(key, "v1"));
                        if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"{key}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
                        var id = (await created.Content.ReadFromJsonAsync<CampaignDto>())!.Id;
                        acknowledged[key] = "v1";
                        if (i % 3 == 1)
                        {
                            using var edited = await client.PutAsJsonAsync($"/api/campaigns/{id}", HttpAssertions.NewCampaign(key, "v2"));
                            if (edited.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{key}: edit {(int)edited.StatusCode}");
                            acknowledged[key] = "v2";
                        }
                        else if (i % 3 == 2)
                        {
                            using var deleted = await client.DeleteAsync($"/api/campaigns/{id}");
                            if (deleted.StatusCode != HttpStatusCode.NoContent) throw new InvalidOperationException($"{key}: delete {(int)deleted.StatusCode}");
                            acknowledged[key] = null;
                        }

                        unknown.TryRemove(key, out _);
                    }
                    // A kill between accept and the first read can surface as a bare SocketException from ConnectAsync.
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException)
                    {
                        return; // the process is gone: this write was never acknowledged
                    }
                }
            })).ToArray();

            // Kill once this round has written something (a loaded machine may take long to get going), at the latest after 90 s.
            var wanted = acknowledged.Count + 6;
            for (var deadline = DateTime.UtcNow.AddSeconds(90); acknowledged.Count < wanted && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(100);
            }

            api.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            SqliteConnection.ClearAllPools();
            WipeVolume(data.Path);
        }

        await using (var last = ApiProcess.Start(data.Path, s3.EnvironmentVariables()))
        {
            await last.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            AssertAllThere(data.Path, acknowledged, unknown, $"after wipe {rounds}");
        }

        output.WriteLine($"{rounds} kills and wipes: {acknowledged.Count} keys acknowledged ({acknowledged.Count(a => a.Value is null)} deleted, {acknowledged.Count(a => a.Value == "v2")} edited), 0 lost");
        Assert.True(acknowledged.Count >= 8, $"the drill barely wrote anything ({acknowledged.Count})");
    }

    internal static async Task<int> CreateAsync(HttpClient client, string key)
    {
        var response = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign(key, key));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CampaignDto>())!.Id;
    }

    /// <summary>The whole data directory goes: database, WAL, local backups, the lineage file, job records.</summary>
    internal static void WipeVolume(string dataDirectory)
    {
        SqliteConnection.ClearAllPools();
        foreach (var entry in Directory.EnumerateFileSystemEntries(dataDirectory))
        {
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
        }
    }

    private static int CountCampaigns(string dataDirectory)
    {
        try
        {
            using var db = CampaignsApiFactory.CreateDbContext(Path.Combine(dataDirectory, "campaigns.db"));
            return db.Campaigns.Count();
        }
        catch (SqliteException)
        {
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static void AssertAllThere(string dataDirectory, ConcurrentDictionary<string, string?> acknowledged, ConcurrentDictionary<string, bool> unknown, string when)
    {
        using var db = CampaignsApiFactory.CreateDbContext(Path.Combine(dataDirectory, "campaigns.db"));
        var stored = db.Campaigns.AsNoTracking().Where(c => c.Key.StartsWith("drill-")).ToDictionary(c => c.Key, c => c.Name);
        var wrong = acknowledged.Where(a => !unknown.ContainsKey(a.Key))
            .Where(a => a.Value is null ? stored.ContainsKey(a.Key) : !stored.TryGetValue(a.Key, out var name) || name != a.Value)
            .Select(a => $"{a.Key} (expected {a.Value ?? "deleted"}, found {stored.GetValueOrDefault(a.Key) ?? "nothing"})").ToList();
        SqliteConnection.ClearAllPools();
        Assert.True(wrong.Count == 0, $"{when}: {wrong.Count} of {acknowledged.Count} acknowledged writes lost, e.g. {string.Join(", ", wrong.Take(5))}");
    }
}
