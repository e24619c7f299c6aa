using Campaigns.Api.Campaigns;
using Campaigns.Api.Common;
using Campaigns.Api.Storage;

namespace Campaigns.Api.Transfer;

/// <summary>
/// A portable, provider-neutral copy of every campaign (<c>export</c> / <c>import</c>): plain JSON that any storage
/// (SQLite today, PostgreSQL later) can write and read back. Import matches campaigns by key, so it is idempotent.
/// </summary>
public sealed record CampaignSnapshot
{
    public const string FormatName = "campaigns-snapshot";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public DateTimeOffset ExportedAt { get; init; }
    public string Provider { get; init; } = "";
    public string SchemaVersion { get; init; } = "";
    public IReadOnlyList<SnapshotCampaign> Campaigns { get; init; } = [];

    /// <summary>Who put campaigns back and when; carried so a PostgreSQL backup and a migration keep the whole story.</summary>
    public IReadOnlyList<SnapshotSeedHistory> SeedHistory { get; init; } = [];
}

public sealed record SnapshotSeedHistory(int SeedVersion, string FileSha256, string Trigger, int Inserted, int Reactivated, int Removed, DateTime At)
{
    public static SnapshotSeedHistory From(SeedHistoryEntry e) =>
        new(e.SeedVersion, e.FileSha256, e.Trigger, e.Inserted, e.Reactivated, e.Removed, DateTime.SpecifyKind(e.At, DateTimeKind.Utc));

    public SeedHistoryEntry ToEntity() => new()
    {
        SeedVersion = SeedVersion, FileSha256 = FileSha256, Trigger = Trigger, Inserted = Inserted, Reactivated = Reactivated,
        Removed = Removed, At = At.ToUniversalTime(),
    };
}

public sealed record SnapshotCampaign : StoredCampaign
{
    public SnapshotCampaign()
    {
    }

    private SnapshotCampaign(Campaign campaign)
        : base(campaign)
    {
    }

    public static SnapshotCampaign From(Campaign c) => new(c);

    /// <summary>The campaign as it was, id and times included (restore and migration).</summary>
    // Missing times stay unset (default) so the importer can tell them from real ones.
    public Campaign ToEntity()
    {
        var entity = ToEntity(WireNames.TryParse<CampaignSource>(Source, out var source) ? source : CampaignSource.User, AsUtc(CreatedAt), AsUtc(UpdatedAt));
        entity.Id = Id;
        return entity;
    }

    private static DateTime AsUtc(DateTime value) => value == default ? default : value.ToUniversalTime();
}
