using Campaigns.Api.SqliteFiles;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Storage;

/// <summary>Does the live database hold campaigns worth keeping, and how many are active: what a backup or restore asks first.</summary>
public sealed class LiveDatabaseContents(
    IServiceScopeFactory scopes, DataDirectory dataDirectory, DatabaseTarget database, IOptions<StorageOptions> storage, ILogger<LiveDatabaseContents> logger)
{
    /// <summary>
    /// From one read. False for a missing or brand-new database. A file that cannot be read is assumed to hold data:
    /// a backup of it then tries, and fails loudly if it cannot.
    /// </summary>
    public async Task<(int Active, bool HoldsData)> ReadAsync(CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            await using var scope = scopes.CreateAsyncScope();
            var campaigns = scope.ServiceProvider.GetRequiredService<CampaignsDbContext>().Campaigns;
            return (await campaigns.CountAsync(c => c.Active, cancellationToken), await campaigns.AnyAsync(cancellationToken));
        }

        if (!File.Exists(dataDirectory.DatabasePath))
        {
            return (0, false);
        }

        try
        {
            using var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadOnly, storage.Value.BusyTimeoutSeconds);
            return SqliteFile.ActiveAndAny(live);
        }
        catch (SqliteException ex)
        {
            logger.LogWarning("Could not count the campaigns in {DatabasePath}: {Reason}", dataDirectory.DatabasePath, ex.Message);
            return (0, true);
        }
    }
}
