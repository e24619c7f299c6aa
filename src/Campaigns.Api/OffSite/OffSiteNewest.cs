using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

/// <summary>
/// Whether the off-site copies hold a newer acknowledged state than a local backup: what every "restore the newest"
/// (startup recovery, <c>latest-backup</c>, the CLI's <c>restore latest</c>) asks before it picks a local file. In sync
/// mode the store holds every acknowledged write, so its newest state is never older than a local backup of the same data.
/// </summary>
public sealed class OffSiteNewest(IOptions<OffSiteOptions> options, DatabaseTarget database, OffSiteHistory history, OffSiteStatus status, ILogger<OffSiteNewest> logger)
{
    public bool Enabled => options.Value.Enabled && database.Provider == DatabaseProvider.Sqlite;

    /// <summary>The moment of the newest off-site state, or null when off-site is off or holds no snapshot.</summary>
    /// <exception cref="OffSiteStoreUnavailableException">The store cannot be asked.</exception>
    public async Task<DateTimeOffset?> StateAtAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }

        try
        {
            return OffSiteHistory.Plan(await history.ListAsync(cancellationToken), at: null)?.StateAt;
        }
        catch (OffSiteStoreException ex)
        {
            status.Failed(ex.Message);
            throw new OffSiteStoreUnavailableException(ex.Message);
        }
    }

    /// <summary>True when the off-site state is newer than <paramref name="localNewest"/> (or there is no local backup at all).</summary>
    public async Task<bool> IsNewerThanAsync(DateTimeOffset? localNewest, CancellationToken cancellationToken)
    {
        if (await StateAtAsync(cancellationToken) is not { } offSite)
        {
            return false;
        }

        var newer = localNewest is null || offSite > localNewest;
        logger.LogInformation("The newest off-site state ({OffSiteStateAt}) is {Comparison} the newest local backup ({BackupStateAt})",
            offSite, newer ? "newer than" : "not newer than", localNewest);
        return newer;
    }
}
