using Campaigns.Api.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Campaigns.Api.Health;

/// <summary>
/// Logs the health report when it changes (a check's status moves), not on every probe: the dashboard polls every
/// 30 s and a platform probes more often, so a degraded setup would otherwise write the same warning forever.
/// Reports taken while the startup sequence runs are Unhealthy by design and are not logged.
/// </summary>
public sealed class HealthTransitions(StorageState state, ILogger<HealthTransitions> logger)
{
    private readonly Lock _gate = new();
    private string? _last;
    private HealthStatus? _lastStatus;

    public void Observe(HealthReport report)
    {
        if (!state.Ready)
        {
            return;
        }

        var signature = string.Join(", ", report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value.Status}"));
        HealthStatus? previous;
        lock (_gate)
        {
            if (signature == _last)
            {
                return;
            }

            previous = _lastStatus;
            _last = signature;
            _lastStatus = report.Status;
        }

        var problems = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).ToList();
        var reasons = problems.Count == 0 ? "every check is healthy" : string.Join(" ", problems.Select(e => e.Value.Description));
        var level = report.Status switch
        {
            HealthStatus.Unhealthy => LogLevel.Error,
            HealthStatus.Degraded => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        // A check that threw carries its exception: the one place its stack trace is logged.
        var exception = problems.Select(e => e.Value.Exception).FirstOrDefault(e => e is not null);
        logger.Log(level, exception, "Health {HealthStatus} (was {PreviousHealthStatus}; checks: {HealthChecks}): {HealthReasons}",
            report.Status, previous?.ToString() ?? "not yet reported", signature, reasons);
    }
}
