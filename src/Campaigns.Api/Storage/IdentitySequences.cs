using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Campaigns.Api.Storage;

/// <summary>
/// Rows copied in with their own ids (a restore, a migration) leave a PostgreSQL identity behind them; the next
/// generated id would collide. SQLite always continues after the largest id, so there is nothing to do there.
/// </summary>
public static class IdentitySequences
{
    public static async Task MovePastExistingIdsAsync(DatabaseFacade database, CancellationToken cancellationToken)
    {
        if (!database.IsNpgsql())
        {
            return;
        }

        await database.ExecuteSqlRawAsync(
            """
            SELECT setval(pg_get_serial_sequence('campaigns', 'Id'), COALESCE((SELECT MAX("Id") FROM campaigns), 0) + 1, false);
            SELECT setval(pg_get_serial_sequence('seed_history', 'Id'), COALESCE((SELECT MAX("Id") FROM seed_history), 0) + 1, false);
            """,
            cancellationToken);
    }
}
