using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Campaigns.Api.OffSite;

/// <summary>Hands every opened EF connection to the SQLite file to the <see cref="OffSiteJournal"/> while off-site copies are on.</summary>
public sealed class OffSiteConnectionInterceptor(OffSiteJournal journal) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (journal.Enabled && connection is SqliteConnection sqlite)
        {
            journal.Attach(sqlite);
        }
    }

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ConnectionOpened(connection, eventData);
        return Task.CompletedTask;
    }
}
