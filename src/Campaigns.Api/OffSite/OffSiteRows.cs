using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

namespace Campaigns.Api.OffSite;

/// <summary>One row as its columns' values, or null for a deleted row.</summary>
public sealed record RowChange(string Table, long Id, Dictionary<string, object?>? Row);

/// <summary>One committed transaction: every row it wrote, as the row stood at commit (or null when deleted).</summary>
public sealed record JournalEntry(string Format, int Version, string Lineage, DateTimeOffset At, List<RowChange> Changes)
{
    public const string FormatName = "campaigns-offsite-journal";
}

/// <summary>
/// Several committed transactions in one journal object, in commit order: async mode ships its queue so, and sync mode
/// compacts the entries it already stored one by one into batches, which <see cref="Covers"/> lists, so a restore reads
/// one object instead of each of them.
/// </summary>
public sealed record JournalBatch(string Format, int Version, string Lineage, List<JournalEntry> Entries, List<string>? Covers = null)
{
    public const string FormatName = "campaigns-offsite-journal-batch";
}

/// <summary>The whole state of the tracked tables at one moment.</summary>
public sealed record OffSiteSnapshot(
    string Format, int Version, string Lineage, DateTimeOffset At, string SchemaVersion, Dictionary<string, List<Dictionary<string, object?>>> Tables)
{
    public const string FormatName = "campaigns-offsite-snapshot";
}

/// <summary>
/// The rows that off-site copies carry: the campaigns and the seed history, each keyed by its integer "Id". Rows are
/// kept as column values (what SQLite stores), so a copy taken under one schema restores into a newer one by the
/// columns both have.
/// </summary>
public static class OffSiteRows
{
    public const string IdColumn = "Id";

    public static readonly string[] Tables = ["campaigns", "seed_history"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static byte[] Encode<T>(T value)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, value, Json);
        }

        return buffer.ToArray();
    }

    public static T Decode<T>(byte[] body, string what)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            var value = JsonSerializer.Deserialize<T>(gzip, Json) ?? throw new InvalidDataException($"{what} is empty.");
            return value;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            throw new OffSiteStoreException($"{what} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>The transactions one journal object holds (a single entry, or a batch), and the single entries a batch replaces.</summary>
    public static (List<JournalEntry> Entries, List<string> Covers) DecodeJournal(byte[] body, string what)
    {
        var batch = Decode<JournalBatch>(body, what);
        return batch.Format == JournalBatch.FormatName ? (batch.Entries, batch.Covers ?? []) : ([Decode<JournalEntry>(body, what)], []);
    }

    /// <summary>JSON read back gives JsonElements; SQLite wants plain values.</summary>
    public static object? ToSqliteValue(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Number } e => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.True } => 1L,
        JsonElement { ValueKind: JsonValueKind.False } => 0L,
        JsonElement e => e.GetRawText(),
        _ => value,
    };

    public static List<string> ColumnsOf(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}', 'main');";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    public static List<Dictionary<string, object?>> ReadAll(SqliteConnection connection, string table)
    {
        var rows = new List<Dictionary<string, object?>>();
        if (ColumnsOf(connection, table).Count == 0)
        {
            return rows;
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM main.\"{table}\" ORDER BY \"{IdColumn}\";";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Writes a row as it is (insert or replace, by id; a unique key held by another row that the same state changes
    /// is given up by it), with the columns both the row and the table have.
    /// </summary>
    public static void Upsert(SqliteConnection connection, string table, IReadOnlyList<string> columns, IReadOnlyDictionary<string, object?> row)
    {
        var present = columns.Where(row.ContainsKey).ToList();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"INSERT OR REPLACE INTO main.\"{table}\" ({string.Join(", ", present.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", present.Select((_, i) => $"$p{i}"))});";
        for (var i = 0; i < present.Count; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", ToSqliteValue(row[present[i]]) ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }
}
