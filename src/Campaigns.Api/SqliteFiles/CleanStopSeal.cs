using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Campaigns.Api.SqliteFiles;

/// <summary>
/// What a clean stop leaves beside the database (<c>campaigns.db.seal</c>): the file's length, modification time and a
/// hash of its first and last pages, written after the last connection checkpointed and closed, and only when the
/// stopping process last found the data sound. A start that finds the file exactly as sealed knows no crash and no
/// outside hand touched it since that check, so it need not read the whole file again before answering (quick_check
/// reads every page: about 1.4 s per GB here). The seal is removed as soon as a start reads it, so a crash never
/// leaves one behind.
/// </summary>
public static partial class CleanStopSeal
{
    public const string Extension = ".seal";
    private const int EdgeBytes = 64 * 1024;

    internal sealed record Seal(long Length, long LastWriteUtcTicks, string EdgesSha256, DateTimeOffset CheckedAt);

    // Generated at build time: a start reads the seal before it serves, and reflection-based JSON would cost that start
    // about a tenth of a second the first time.
    [JsonSerializable(typeof(Seal))]
    internal sealed partial class SealJson : JsonSerializerContext;

    /// <param name="checkedAt">When the data was last found sound (quick_check of the file or of a snapshot of it).</param>
    public static void Write(string databasePath, DateTimeOffset checkedAt)
    {
        if (WalHoldsFrames(databasePath))
        {
            return; // something still in the WAL: the file alone is not the data
        }

        var file = new FileInfo(databasePath);
        var seal = new Seal(file.Length, file.LastWriteTimeUtc.Ticks, EdgesSha256(databasePath), checkedAt);
        AtomicFile.Write(databasePath + Extension, JsonSerializer.SerializeToUtf8Bytes(seal, SealJson.Default.Seal));
    }

    /// <summary>
    /// Removes the seal and returns when the data was last found sound if the file is still exactly as sealed; null when
    /// there was no seal, it does not match, or a WAL appeared beside the file.
    /// </summary>
    public static DateTimeOffset? TakeIfIntact(string databasePath)
    {
        var path = databasePath + Extension;
        if (!File.Exists(path))
        {
            return null;
        }

        Seal? seal;
        try
        {
            seal = JsonSerializer.Deserialize(File.ReadAllBytes(path), SealJson.Default.Seal);
        }
        catch (JsonException)
        {
            seal = null;
        }

        File.Delete(path);
        var file = new FileInfo(databasePath);
        return seal is not null && file.Exists && !WalHoldsFrames(databasePath)
               && file.Length == seal.Length && file.LastWriteTimeUtc.Ticks == seal.LastWriteUtcTicks
               && EdgesSha256(databasePath) == seal.EdgesSha256
            ? seal.CheckedAt
            : null;
    }

    private static bool WalHoldsFrames(string databasePath) => new FileInfo(databasePath + "-wal") is { Exists: true, Length: > 0 };

    private static string EdgesSha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[Math.Min(stream.Length, 2L * EdgeBytes)];
        var head = (int)Math.Min(stream.Length, EdgeBytes);
        stream.ReadExactly(buffer, 0, head);
        stream.Position = stream.Length - (buffer.Length - head);
        stream.ReadExactly(buffer, head, buffer.Length - head);
        return Convert.ToHexString(SHA256.HashData(buffer));
    }
}
