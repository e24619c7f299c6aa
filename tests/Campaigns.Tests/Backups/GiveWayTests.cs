using System.Diagnostics;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Backups;

/// <summary>
/// A backup's threads give the cores back while requests are served (<see cref="GiveWay"/>): one at a time, pausing as
/// long as they worked; with no request in sight they never pause.
/// </summary>
public sealed class GiveWayTests
{
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(3);

    [Fact]
    public void PacedWorkPausesAsLongAsItWorkedOnlyWhileARequestIsServed()
    {
        var requests = new RequestActivity();
        var giveWay = new GiveWay(requests);
        using (var pace = giveWay.Join())
        {
            for (var i = 0; i < 5; i++)
            {
                SpinFor(Work);
                pace.Step();
            }
        }

        Assert.Equal(TimeSpan.Zero, giveWay.Paused);

        requests.Started();
        using (var pace = giveWay.Join())
        {
            for (var i = 0; i < 5; i++)
            {
                SpinFor(Work);
                pace.Step();
            }
        }

        // The first slice takes the turn, the four after it each pause at least as long as they worked.
        Assert.True(giveWay.Paused >= 4 * Work, $"paused {giveWay.Paused}");
        requests.Ended();
        Thread.Sleep(50);
        Assert.False(requests.Busy); // a request that ended counts for a moment only
    }

    [Fact]
    public void PacedThreadsWorkOneAtATimeWhileRequestsAreServed()
    {
        var requests = new RequestActivity();
        var giveWay = new GiveWay(requests);
        requests.Started();
        var slices = new List<(int Thread, long Start, long End)>();
        var threads = Enumerable.Range(0, 3).Select(id => new Thread(() =>
        {
            using var pace = giveWay.Join();
            for (var i = 0; i < 12; i++)
            {
                var start = Stopwatch.GetTimestamp();
                SpinFor(Work);
                var end = Stopwatch.GetTimestamp();
                if (i > 0) // the first slice runs before the thread has taken its turn
                {
                    lock (slices)
                    {
                        slices.Add((id, start, end));
                    }
                }

                pace.Step();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var ordered = slices.OrderBy(s => s.Start).ToList();
        var overlaps = ordered.Zip(ordered.Skip(1)).Count(pair => pair.Second.Start < pair.First.End);
        Assert.Equal(0, overlaps);
        Assert.Equal(3, ordered.Select(s => s.Thread).Distinct().Count());
    }

    [Fact]
    public async Task BackupPausesForRequestsBeingServedAndNotWithoutThem()
    {
        await using var api = new CampaignsApiFactory();
        var client = api.CreateClient();
        (await client.GetAsync("/api/campaigns")).EnsureSuccessStatusCode();
        SeedFiles.AddBallast(api.DatabasePath, megabytes: 24); // long enough to give way several times
        var giveWay = api.Service<GiveWay>();
        var backups = api.Service<BackupService>();

        await backups.CreateAsync(BackupTrigger.Manual);
        Assert.Equal(TimeSpan.Zero, giveWay.Paused);

        using var stop = new CancellationTokenSource();
        var requests = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                (await client.GetAsync("/api/campaigns")).EnsureSuccessStatusCode();
            }
        });
        BackupEntry served;
        try
        {
            served = await backups.CreateAsync(BackupTrigger.Manual);
        }
        finally
        {
            await stop.CancelAsync();
            await requests;
        }

        Assert.True(giveWay.Paused > TimeSpan.Zero);
        Assert.Contains(api.Logs.Entries, e => e.Message.Contains("paused for requests being served") && !e.Message.Contains("of which 00:00:00 paused"));
        var path = Path.Combine(api.BackupsDirectory, served.Name);
        Assert.Equal(served.Sha256, SqliteFile.Sha256Of(path));
        using var copy = SqliteFile.Open(path, SqliteOpenMode.ReadOnly);
        Assert.Equal("ok", SqliteFile.Check(copy, quick: true));
    }

    private static void SpinFor(TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
        }
    }
}
