using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Campaigns.Tests.Drills;

/// <summary>
/// Fault drill: clients create campaigns as fast as they can against the service running as its own process, which is
/// killed with SIGKILL at a random moment and restarted on the same data directory, over and over. Every campaign
/// that got a 201 must be there after every restart. DRILL_KILLS raises the number of kills (bench/drills/kill9-writes.sh).
/// </summary>
public sealed class AcknowledgedWritesDrill(ITestOutputHelper output)
{
    private const int Writers = 4;

    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesKillDashNine()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("DRILL_KILLS"), out var n) && n > 0 ? n : 5;
        using var data = new TempDirectory("campaigns-drill");
        var acknowledged = new ConcurrentDictionary<string, int>();
        var attempted = 0;
        var random = new Random();

        for (var round = 1; round <= kills; round++)
        {
            await using var api = ApiProcess.Start(data.Path);
            await api.WaitUntilReadyAsync();
            AssertAllPresent(data.Path, acknowledged, $"after restart {round - 1}");

            using var stop = new CancellationTokenSource();
            var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                using var client = api.CreateClient(admin: true);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"drill-{round}-{w}-{i}";
                    Interlocked.Increment(ref attempted);
                    try
                    {
                        using var response = await client.PostAsJsonAsync("/api/campaigns", HttpAssertions.NewCampaign(key, $"Drill {key}"));
                        if (response.StatusCode != HttpStatusCode.Created)
                        {
                            throw new InvalidOperationException($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }

                        acknowledged[key] = (await response.Content.ReadFromJsonAsync<Api.Campaigns.CampaignDto>())!.Id;
                        firstAcknowledged.TrySetResult();
                    }
                    catch (HttpRequestException)
                    {
                        return; // the process is gone: this write was never acknowledged
                    }
                }
            })).ToArray();

            // Random moment once writes flow (the first ones after a start wait for JIT and warm-up).
            await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(random.Next(100, 1500));
            api.Kill(); // SIGKILL: no graceful shutdown, no flush
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        await using (var last = ApiProcess.Start(data.Path))
        {
            await last.WaitUntilReadyAsync();
            AssertAllPresent(data.Path, acknowledged, $"after restart {kills}");
        }

        output.WriteLine($"{kills} kills: {attempted} writes attempted, {acknowledged.Count} acknowledged, 0 lost");
        Assert.True(acknowledged.Count >= kills, $"the drill barely wrote anything ({acknowledged.Count} acknowledged)");
    }

    private static void AssertAllPresent(string dataDirectory, ConcurrentDictionary<string, int> acknowledged, string when)
    {
        var path = Path.Combine(dataDirectory, Api.Storage.DataDirectory.DatabaseFileName);
        using var db = CampaignsApiFactory.CreateDbContext(path);
        var stored = db.Campaigns.AsNoTracking().Where(c => c.Key.StartsWith("drill-")).ToDictionary(c => c.Key, c => c.Id);
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var id) || id != a.Value).Select(a => a.Key).ToList();
        Assert.True(lost.Count == 0, $"{when}: {lost.Count} of {acknowledged.Count} acknowledged campaigns lost, e.g. {string.Join(", ", lost.Take(5))}");
        Assert.Equal("ok", db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").AsEnumerable().First());
        SqliteConnection.ClearAllPools();
    }
}
