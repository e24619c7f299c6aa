using Campaigns.Api.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// The <c>offSite</c> block of /health: where the copies go (host and bucket, never a credential), the last upload and
/// its age, the async lag and queue, the last error. Degraded when the store failed last, lags far behind, or an empty
/// volume waits for it.
/// </summary>
public sealed class OffSiteHealthCheck(
    IOptions<OffSiteOptions> options, DatabaseTarget database, OffSiteStatus status, OffSiteLineage lineage, OffSiteProbe probe, TimeProvider time)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return HealthCheckResult.Healthy("Off-site copies are off (set OffSite:Endpoint and OffSite:Bucket).",
                new Dictionary<string, object> { ["configured"] = false });
        }

        if (status.StartupBlockedBy is null && !status.Starting)
        {
            await probe.CheckAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        var read = status.Read();
        var data = new Dictionary<string, object>
        {
            ["configured"] = true,
            ["mode"] = settings.Mode.ToLowerInvariant(),
            ["endpointHost"] = settings.EndpointHost,
            ["bucket"] = settings.Bucket!,
            ["prefix"] = settings.Prefix,
            ["provider"] = database.ProviderName,
            ["lastUpload"] = read.LastUpload!,
            ["lastUploadAgeSeconds"] = read.LastUpload is { } at ? (long)(now - at).TotalSeconds : null!,
            ["lastSnapshot"] = read.LastSnapshot!,
            ["lagSeconds"] = Math.Round(read.Lag.TotalSeconds, 1),
            ["pending"] = read.Pending,
            ["entriesSinceSnapshot"] = read.EntriesSinceSnapshot,
            ["lastError"] = read.LastError!,
            ["lastErrorAt"] = read.LastErrorAt!,
        };
        if (database.Provider == DatabaseProvider.Sqlite && read.StartupBlockedBy is null)
        {
            data["lineage"] = lineage.Current;
        }

        if (read.StartupBlockedBy is { } blocked)
        {
            return HealthCheckResult.Unhealthy(blocked, data: data);
        }

        if (read.LastError is { } error && (read.LastUpload is null || read.LastErrorAt > read.LastUpload))
        {
            return HealthCheckResult.Degraded($"Off-site store {settings.StoreName}: {error}", data: data);
        }

        if (read.Lag.TotalSeconds > 10 * settings.MaxLagSeconds)
        {
            return HealthCheckResult.Degraded(
                $"Off-site copies to {settings.StoreName} lag {read.Lag.TotalSeconds:F0} s behind ({read.Pending} entries waiting; the bound is {settings.MaxLagSeconds} s).", data: data);
        }

        return HealthCheckResult.Healthy(
            read.LastUpload is { } last ? $"Off-site copies in {settings.StoreName}, {settings.Mode} mode; last upload {(now - last).TotalSeconds:F0} s ago." : $"Off-site copies in {settings.StoreName}, {settings.Mode} mode.",
            data);
    }
}
