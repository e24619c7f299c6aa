using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Restores;

/// <summary>
/// When another process has the database open: a pre-restore backup, then the prepared copy goes in through SQLite's
/// online backup API, one write transaction, so open connections stay valid and see the restored data.
/// </summary>
public sealed class OnlineCopyRestore(DataDirectory dataDirectory, BackupService backups, IOptions<StorageOptions> storage)
{
    /// <returns>The pre-restore backup's name, null when <paramref name="keepOld"/> is false.</returns>
    public async Task<string?> RestoreAsync(Task preparing, string prepared, bool keepOld, string restoring, CancellationToken cancellationToken)
    {
        await preparing;
        var preRestore = await backups.CreatePreRestoreAsync(keepOld, restoring, cancellationToken);
        using var copy = SqliteFile.Open(prepared, SqliteOpenMode.ReadOnly);
        using var live = SqliteFile.Open(dataDirectory.DatabasePath, SqliteOpenMode.ReadWriteCreate, storage.Value.BusyTimeoutSeconds);
        copy.BackupDatabase(live);
        SqliteFile.UseWal(live);
        return preRestore;
    }
}
