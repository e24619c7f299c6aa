using System.Text.Json;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Backups;

public static class RecoveryKinds
{
    public const string MissingDatabase = "missing-database-restored";
    public const string Quarantined = "corrupt-database-quarantined";
    public const string Restore = "restore";
}

public sealed record RecoveryRecord(DateTimeOffset At, string Kind, string Detail);

/// <summary>
/// The last recovery or restore, for /health. Kept in a file on the volume (not in the database, which a restore
/// overwrites) so it is still reported after the restart that follows a crash.
/// </summary>
public sealed class RecoveryLog(DataDirectory dataDirectory, TimeProvider time, ILogger<RecoveryLog> logger)
{
    private readonly Lock _lock = new();
    private RecoveryRecord? _last;
    private bool _loaded;

    private string FilePath => Path.Combine(dataDirectory.JobsPath, "last-recovery.json");

    public RecoveryRecord? Last
    {
        get
        {
            lock (_lock)
            {
                if (!_loaded)
                {
                    _last = Read();
                    _loaded = true;
                }

                return _last;
            }
        }
    }

    public RecoveryRecord Record(string kind, string detail)
    {
        var record = new RecoveryRecord(time.GetUtcNow(), kind, detail);
        lock (_lock)
        {
            _last = record;
            _loaded = true;
        }

        try
        {
            Directory.CreateDirectory(dataDirectory.JobsPath);
            SqliteFile.WriteAtomically(FilePath, JsonSerializer.SerializeToUtf8Bytes(record, BackupCatalog.Json));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not record the recovery in {FilePath}: {Reason}", FilePath, ex.Message);
        }

        return record;
    }

    private RecoveryRecord? Read()
    {
        try
        {
            return File.Exists(FilePath) ? JsonSerializer.Deserialize<RecoveryRecord>(File.ReadAllBytes(FilePath), BackupCatalog.Json) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            logger.LogWarning("Could not read the last recovery from {FilePath}: {Reason}", FilePath, ex.Message);
            return null;
        }
    }
}
