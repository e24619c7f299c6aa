using Campaigns.Api.Health;
using Campaigns.Api.Seeding;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Startup;

/// <summary>
/// First uses done on a thread of its own while the startup sequence runs, instead of on the sequence's thread or on
/// the first request: every endpoint (its request delegate, the JSON contracts of its body and results, its filters),
/// the canonical file's validator (FluentValidation compiles an expression per rule), SQLite's native library, and the
/// parts of the health report that only read. The sequence is one thread of mostly file reads, so on a two-core
/// container this uses the other core; each of these was part of a redeploy's downtime before (docs/benchmarks.md,
/// issue 12). Nothing here changes state: the sequence and the first request still do their own work, only faster.
/// </summary>
internal sealed class StartupWarmup(
    EndpointDataSource endpoints,
    CanonicalSeedSource seed,
    HealthCheckService health,
    IOptions<JsonOptions> json,
    ILogger<StartupWarmup> logger) : IHostedService
{
    private Task _warming = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A thread of its own, not the pool's: the host starts its services on pool threads (Kestrel's among them), and a
        // pool thread held here for a tenth of a second delayed "Now listening" by as much.
        _warming = Task.Factory.StartNew(() =>
        {
            Warm("the canonical file's validator", () => CanonicalSeedFile.Load(seed.FilePath));
            Warm("SQLite", () =>
            {
                using var connection = new SqliteConnection("Data Source=:memory:");
                connection.Open();
            });
            Warm("the endpoints", () => _ = endpoints.Endpoints);
            Warm("the health report", WarmHealthReport);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _warming.WaitAsync(cancellationToken);

    /// <summary>
    /// The checks that only read what is already known (the backups' sidecars and schedule, the volume's status) and the
    /// report's writer, to a stream that goes nowhere: the first /health paid ~45 ms for their first use. The others
    /// read the database or the store, which the startup sequence may not have made ready yet.
    /// </summary>
    private void WarmHealthReport()
    {
        var report = health.CheckHealthAsync(check => check.Name is HealthEndpoints.BackupsCheck or HealthEndpoints.StorageCheck).GetAwaiter().GetResult();
        var document = report.Entries.ToDictionary(e => e.Key, e => (object?)e.Value.Data);
        HealthReportWriter.WriteAsync(Stream.Null, document, json.Value.SerializerOptions, CancellationToken.None).GetAwaiter().GetResult();
    }

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
