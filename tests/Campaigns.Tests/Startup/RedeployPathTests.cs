using System.Collections.Concurrent;
using System.Diagnostics;
using Campaigns.Api.Storage;
using Campaigns.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Campaigns.Tests.Startup;

/// <summary>
/// What a redeploy does before its first 200 (the users' downtime): plain reads, no EF Core, no data-protection key
/// ring. EF's first use follows readiness, and fills the list's cache before the first reader asks.
/// </summary>
public sealed class RedeployPathTests
{
    [Fact]
    public async Task ARedeployWithNothingToDoIsReadyBeforeEntityFrameworkRunsACommand()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            await first.CreateClient().GetCampaignsAsync();
        }

        using var commands = EfCommands.For(dir.Path);
        await using var redeployed = new CampaignsApiFactory(dir.Path);
        _ = redeployed.Server;
        var readyAt = redeployed.Service<StorageState>().ReadyAt!.Value;

        await commands.WaitForAnyAsync(); // the list's preload, after ready
        Assert.All(commands.At, at => Assert.True(at >= readyAt, $"EF ran a command at {at:O}, before the start was ready at {readyAt:O}"));
    }

    [Fact]
    public async Task AFirstStartStillMigratesAndSeedsThroughEntityFrameworkBeforeItIsReady()
    {
        using var dir = new TempDirectory();
        using var commands = EfCommands.For(dir.Path);
        await using var api = new CampaignsApiFactory(dir.Path);
        _ = api.Server;

        var readyAt = api.Service<StorageState>().ReadyAt!.Value;
        Assert.Contains(commands.At, at => at < readyAt);
        Assert.Equal(12, (await api.CreateClient().GetCampaignsAsync()).Count(c => c.Active));
    }

    [Fact]
    public async Task TheFirstPageOfTheListIsInTheCacheBeforeTheFirstReaderAsks()
    {
        using var dir = new TempDirectory();
        await using (var first = new CampaignsApiFactory(dir.Path))
        {
            _ = first.Server;
        }

        using var commands = EfCommands.For(dir.Path);
        await using var redeployed = new CampaignsApiFactory(dir.Path);
        _ = redeployed.Server;

        await commands.WaitForAnyAsync(); // no request yet: this is the preload
        // Its query may still be running; once it is done, the first reader's page costs no command.
        await WaitUntilAsync(async () =>
        {
            var before = commands.At.Count;
            await redeployed.CreateClient().GetCampaignsAsync();
            return commands.At.Count == before;
        });
        Assert.InRange(commands.At.Count, 1, 2);
    }

    [Fact]
    public async Task NothingIsRegisteredThatWouldCreateADataProtectionKeyRing()
    {
        await using var api = new CampaignsApiFactory();
        _ = api.Server;

        Assert.Null(api.Services.GetService(typeof(IDataProtectionProvider)));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "The first page was never served from the cache.");
            await Task.Delay(50);
        }
    }

    /// <summary>When EF Core ran commands against the live database of one data directory (tests run many hosts at once).</summary>
    private sealed class EfCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _dataDirectory;
        private readonly ConcurrentQueue<DateTimeOffset> _at = new();
        private readonly List<IDisposable> _subscriptions = [];
        private readonly SemaphoreSlim _any = new(0);

        private EfCommands(string dataDirectory) => _dataDirectory = dataDirectory;

        public IReadOnlyList<DateTimeOffset> At => [.. _at];

        public static EfCommands For(string dataDirectory)
        {
            var commands = new EfCommands(dataDirectory);
            lock (commands._subscriptions)
            {
                commands._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(commands));
            }

            return commands;
        }

        public async Task WaitForAnyAsync() => Assert.True(await _any.WaitAsync(TimeSpan.FromSeconds(30)), "EF never ran a command.");

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(listener.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> diagnostic)
        {
            if (diagnostic.Key == RelationalEventId.CommandExecuting.Name
                && diagnostic.Value is CommandEventData { Command.Connection.DataSource: { } source }
                && source == Path.Combine(_dataDirectory, DataDirectory.DatabaseFileName))
            {
                _at.Enqueue(DateTimeOffset.UtcNow);
                _any.Release();
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
            {
                _subscriptions.ForEach(s => s.Dispose());
            }
        }
    }
}
