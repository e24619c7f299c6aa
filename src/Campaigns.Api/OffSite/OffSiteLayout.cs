using System.Globalization;
using System.Security.Cryptography;

namespace Campaigns.Api.OffSite;

public enum OffSitePointKind
{
    Snapshot,
    Journal,
}

/// <summary>One object of a lineage: a snapshot (the whole state) or a journal entry (one committed transaction).</summary>
public sealed record OffSitePoint(string Lineage, OffSitePointKind Kind, long Ticks, string Key, long Size)
{
    public DateTimeOffset At => new(Ticks, TimeSpan.Zero);
}

/// <summary>
/// Where things live in the bucket. Every list is of a flat prefix (some S3-compatible servers return no common prefixes
/// for delimiter listings), and every key sorts by time:
/// <c>{prefix}lineages/{lineage}</c> (one marker per fresh start), <c>{prefix}{lineage}/snapshots/{ticks}.json.gz</c>,
/// <c>{prefix}{lineage}/journal/{ticks}-{nonce}.json.gz</c>. Ticks are UTC, 19 digits, so text order is time order.
/// </summary>
public sealed class OffSiteLayout(string prefix)
{
    /// <summary>
    /// Where a PostgreSQL service's snapshots go: <c>{prefix}postgres/snapshots/</c>. It has no lineage marker, so a SQLite
    /// service sharing the prefix never lists or restores it (the formats differ); lineage ids are times, never this name.
    /// </summary>
    public const string PostgresLineage = "postgres";

    private const string SnapshotSuffix = ".json.gz";

    public string LineagesPrefix => $"{prefix}lineages/";

    public string LineageMarker(string lineage) => LineagesPrefix + lineage;

    public string SnapshotsPrefix(string lineage) => $"{prefix}{lineage}/snapshots/";

    public string JournalPrefix(string lineage) => $"{prefix}{lineage}/journal/";

    public string SnapshotKey(string lineage, long ticks) => $"{SnapshotsPrefix(lineage)}{ticks:D19}{SnapshotSuffix}";

    public string JournalKey(string lineage, long ticks) =>
        $"{JournalPrefix(lineage)}{ticks:D19}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}{SnapshotSuffix}";

    /// <summary>A journal object of several transactions, keyed by its first one's ticks (so it sorts and filters like an entry).</summary>
    public string JournalBatchKey(string lineage, long firstTicks) =>
        $"{JournalPrefix(lineage)}{firstTicks:D19}{BatchMarker}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}{SnapshotSuffix}";

    /// <summary>A batch that repeats journal objects already stored (which it names), so a restore reads it instead of them.</summary>
    public string JournalCompactedKey(string lineage, long firstTicks) =>
        $"{JournalPrefix(lineage)}{firstTicks:D19}{CompactedMarker}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}{SnapshotSuffix}";

    public static bool IsJournalBatch(string key) => key.Contains(BatchMarker, StringComparison.Ordinal);

    public static bool IsJournalCompacted(string key) => key.Contains(CompactedMarker, StringComparison.Ordinal);

    private const string BatchMarker = "-batch-";

    private const string CompactedMarker = "-compacted-";

    public string? LineageOf(string markerKey) =>
        markerKey.StartsWith(LineagesPrefix, StringComparison.Ordinal) && markerKey.Length > LineagesPrefix.Length ? markerKey[LineagesPrefix.Length..] : null;

    public OffSitePoint? Parse(string lineage, StoredObject stored)
    {
        foreach (var (kind, start) in new[] { (OffSitePointKind.Snapshot, SnapshotsPrefix(lineage)), (OffSitePointKind.Journal, JournalPrefix(lineage)) })
        {
            if (stored.Key.StartsWith(start, StringComparison.Ordinal) && stored.Key.Length >= start.Length + 19
                && long.TryParse(stored.Key.AsSpan(start.Length, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return new OffSitePoint(lineage, kind, ticks, stored.Key, stored.Size);
            }
        }

        return null;
    }

    /// <summary>A new lineage's id: its start time first, so lineages sort by when they began.</summary>
    public static string NewLineageId(DateTimeOffset now) =>
        $"{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    public static DateTimeOffset? StartOf(string lineage) =>
        DateTime.TryParseExact(lineage.Split('-')[0], "yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start)
            ? new DateTimeOffset(start, TimeSpan.Zero)
            : null;
}

/// <summary>Ticks that never repeat or go back within a process, so journal keys keep commit order.</summary>
public sealed class OffSiteClock(TimeProvider time)
{
    private long _last;

    public long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(time.GetUtcNow().UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }
}
