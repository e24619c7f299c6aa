namespace Campaigns.Api.OffSite;

/// <summary>
/// What an admin can restore from the off-site copies (<c>GET /api/admin/offsite</c>): where they are (host and bucket,
/// never a credential), the span a restore may ask for, and each lineage's snapshots and journal.
/// </summary>
/// <param name="Configured">False while OffSite:Endpoint or OffSite:Bucket is unset; everything else is then empty.</param>
/// <param name="Store">"host/bucket".</param>
/// <param name="Oldest">The oldest moment an <c>at</c> may name: the oldest snapshot kept.</param>
/// <param name="Newest">The newest state held: a restore without <c>at</c> brings it back.</param>
/// <param name="Restorable">Whether <c>{"source":"offsite"}</c> works here (SQLite; PostgreSQL snapshots are listed, not restored by the service).</param>
public sealed record OffSiteRestorePointsDto(
    bool Configured, string? Mode, string? Store, string? Provider, bool Restorable, DateTimeOffset? Oldest, DateTimeOffset? Newest,
    IReadOnlyList<OffSiteLineageDto> Lineages)
{
    public static OffSiteRestorePointsDto Off { get; } = new(false, null, null, null, false, null, null, []);
}

/// <param name="Current">The lineage this database writes to now.</param>
public sealed record OffSiteLineageDto(
    string Lineage, DateTimeOffset? StartedAt, bool Current, DateTimeOffset? Newest, long SizeBytes,
    IReadOnlyList<OffSiteSnapshotDto> Snapshots, OffSiteJournalSpanDto? Journal)
{
    public static OffSiteLineageDto From(LineageHistory history, string? current) =>
        new(history.Lineage, history.StartedAt, history.Lineage == current, history.Newest, history.Bytes,
            history.Snapshots.Select(s => new OffSiteSnapshotDto(s.At, s.Size)).Reverse().ToList(),
            history.Journal.Count == 0 ? null : new OffSiteJournalSpanDto(history.Journal[0].At, history.Journal[^1].At, history.Journal.Count, history.Journal.Sum(j => j.Size)));
}

/// <summary>One snapshot: the whole state at that moment, compressed.</summary>
public sealed record OffSiteSnapshotDto(DateTimeOffset At, long SizeBytes);

/// <summary>The journal after the lineage's snapshots: one entry per acknowledged transaction, from the first to the last.</summary>
public sealed record OffSiteJournalSpanDto(DateTimeOffset From, DateTimeOffset To, int Entries, long SizeBytes);
