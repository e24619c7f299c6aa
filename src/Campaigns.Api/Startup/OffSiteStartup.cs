using Campaigns.Api.Backups;
using Campaigns.Api.OffSite;
using Campaigns.Api.Restores;
using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Startup;

/// <summary>
/// The off-site part of the startup sequence (SQLite only). Before local recovery: when the database is missing, the
/// newest acknowledged state comes from the store (it is newer than any local backup), in a new lineage; when the store
/// cannot be asked, the service stays not ready and retries rather than serve a reset or older dataset (unless
/// OffSite:AllowEmptyStart). After the top-up: a snapshot, the base of this run's journal.
/// </summary>
public sealed class OffSiteStartup(
    IOptions<OffSiteOptions> options,
    DataDirectory dataDirectory,
    DatabaseTarget database,
    OffSiteStore store,
    OffSiteHistory history,
    OffSiteLineage lineage,
    IServiceProvider services,
    OffSiteSnapshots snapshots,
    OffSiteStatus status,
    IHostEnvironment environment,
    ILogger<OffSiteStartup> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private bool Enabled => options.Value.Enabled && database.Provider == DatabaseProvider.Sqlite;

    public async Task BeforeRecoveryAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            if (options.Value.Enabled)
            {
                logger.LogWarning(
                    "Off-site copies in {OffSiteStore} on PostgreSQL: the scheduled and on-demand backups go there; there is no journal (OffSite:Mode {OffSiteMode} applies to SQLite only), so the platform's PostgreSQL backups are primary",
                    options.Value.StoreName, options.Value.Mode);
                await CheckStoreAsync(cancellationToken);
            }

            return;
        }

        status.Starting = true;
        logger.LogInformation("Off-site copies to {OffSiteStore} under {OffSitePrefix}, mode {OffSiteMode}", options.Value.StoreName, options.Value.Prefix, options.Value.Mode);
        if (File.Exists(dataDirectory.DatabasePath))
        {
            _ = lineage.Current;
            await CheckStoreAsync(cancellationToken);
            return;
        }

        var histories = await WaitForHistoryAsync(cancellationToken);
        var plan = histories is null ? null : OffSiteHistory.Plan(histories, at: null);
        lineage.Begin(plan is null ? "the database starts from nothing" : "the database is restored from off-site");
        if (plan is null)
        {
            return;
        }

        logger.LogError("Database {DatabasePath} is missing; restoring the newest acknowledged state from {OffSiteStore}", dataDirectory.DatabasePath, options.Value.StoreName);
        // Resolved here, not with this service: every start constructs this one, and the restorer's graph (backups, every
        // kind of restore, the request validator) is CPU on its path to ready (docs/benchmarks.md, issue 12).
        await services.GetRequiredService<OffSiteRestorer>().RestoreAsync(at: null, RecoveryKind.OffSiteRestored, preRestoreBackup: false, cancellationToken, listed: histories);
    }

    public async Task AfterTopUpAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        status.Starting = false;
        try
        {
            await snapshots.TakeAsync("startup", cancellationToken);
        }
        catch (OffSiteStoreException ex)
        {
            status.SnapshotWanted = true;
            logger.LogError("Off-site snapshot at startup failed; retried in the background: {Reason}", ex.Message);
        }
    }

    /// <summary>A store that refuses the credentials or has no such bucket stops a Production start, naming the setting.</summary>
    private async Task CheckStoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.ProbeAsync(cancellationToken);
        }
        catch (OffSiteStoreException ex)
        {
            status.Failed(ex.Message);
            if (environment.IsProduction() && ex.IsConfigurationProblem)
            {
                throw new StorageNotSafeException($"Refusing to start: {ex.Message}");
            }

            logger.LogError("Off-site store {OffSiteStore} cannot be reached: {Reason}", options.Value.StoreName, ex.Message);
        }
    }

    /// <summary>The store's history; null when it cannot be asked and an empty start is allowed.</summary>
    private async Task<List<LineageHistory>?> WaitForHistoryAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var histories = await history.ListAsync(cancellationToken);
                status.StartupBlockedBy = null;
                return histories;
            }
            catch (OffSiteStoreException ex)
            {
                status.Failed(ex.Message);
                if (ex.IsConfigurationProblem)
                {
                    // The operator must fix it before Production serves; while developing it is reported Degraded, not waited out.
                    if (environment.IsProduction())
                    {
                        throw new StorageNotSafeException($"Refusing to start: {ex.Message}");
                    }

                    logger.LogError("The database is missing and the off-site store refuses this configuration ({Reason}); starting empty in {Environment}",
                        ex.Message, environment.EnvironmentName);
                    return null;
                }

                if (options.Value.AllowEmptyStart)
                {
                    logger.LogWarning("The database is missing and the off-site store cannot be asked for it ({Reason}); starting empty because {Setting}=true",
                        ex.Message, $"{OffSiteOptions.SectionName}:{nameof(OffSiteOptions.AllowEmptyStart)}");
                    return null;
                }

                status.StartupBlockedBy =
                    $"The database is missing and the off-site store cannot be asked for the newest data ({ex.Message}); not serving a reset dataset, retrying in {delay.TotalSeconds:F0} s.";
                logger.LogError("{StartupBlockedBy}", status.StartupBlockedBy);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, delay.Ticks * 2));
            }
        }
    }
}
