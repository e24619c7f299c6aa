using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Api.Backups;
using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Restores;

public sealed record RecoveryRecord(DateTimeOffset At, RecoveryKind Kind, string Detail);

/// <summary>
/// The last recovery or restore, for /health. Kept in a file on the volume (not in the database, which a restore
/// overwrites) so it is still reported after the restart that follows a crash.
/// </summary>
public sealed partial class RecoveryLog(DataDirectory dataDirectory, TimeProvider time, ILogger<RecoveryLog> logger)
{
    // Generated at build time: /health reads this file on every probe (see BackupCatalog.SidecarJson for why).
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
    [JsonSerializable(typeof(RecoveryRecord))]
    internal sealed partial class RecordJson : JsonSerializerContext;

    private RecoveryRecord? _lastWritten;

    private string FilePath => Path.Combine(dataDirectory.JobsPath, "last-recovery.json");

    /// <summary>Read from the file each time, so a restore run by the CLI next to the API shows up too.</summary>
    public RecoveryRecord? Last => Read() ?? Volatile.Read(ref _lastWritten);

    public RecoveryRecord Record(RecoveryKind kind, string detail)
    {
        var record = new RecoveryRecord(time.GetUtcNow(), kind, detail);
        Volatile.Write(ref _lastWritten, record);

        try
        {
            Directory.CreateDirectory(dataDirectory.JobsPath);
            AtomicFile.Write(FilePath, JsonSerializer.SerializeToUtf8Bytes(record, RecordJson.Default.RecoveryRecord));
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
            return File.Exists(FilePath) ? JsonSerializer.Deserialize(File.ReadAllBytes(FilePath), RecordJson.Default.RecoveryRecord) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            logger.LogWarning("Could not read the last recovery from {FilePath}: {Reason}", FilePath, ex.Message);
            return null;
        }
    }
}
