using Campaigns.Api.Seeding;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.Startup;

/// <summary>
/// First uses done on a thread-pool thread while the startup sequence runs, instead of on its own thread or on the
/// first request: every endpoint (its request delegate, the JSON contracts of its body and results, its filters), the
/// canonical file's validator (FluentValidation compiles an expression per rule) and SQLite's native library. The
/// sequence is one thread of mostly file reads, so on a two-core container this uses the other core; each of these was
/// part of a redeploy's downtime before (docs/benchmarks.md, issue 12). Nothing here changes state: the sequence and
/// the first request still do their own work, only faster.
/// </summary>
internal sealed class StartupWarmup(EndpointDataSource endpoints, CanonicalSeedSource seed, ILogger<StartupWarmup> logger) : IHostedService
{
    private Task _warming = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _warming = Task.Run(() =>
        {
            Warm("the canonical file's validator", () => CanonicalSeedFile.Load(seed.FilePath));
            Warm("SQLite", () =>
            {
                using var connection = new SqliteConnection("Data Source=:memory:");
                connection.Open();
            });
            Warm("the endpoints", () => _ = endpoints.Endpoints);
        }, cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _warming.WaitAsync(cancellationToken);

    private void Warm(string what, Action firstUse)
    {
        try
        {
            firstUse();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only a head start: the real use repeats it, and reports what is wrong there.
            logger.LogWarning(ex, "Could not warm {Warmed} ahead of its first use: {Reason}", what, ex.Message);
        }
    }
}
