using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Api.Campaigns;
using Campaigns.Api.Seeding;
using Campaigns.Api.Storage;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Backups;

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

public sealed record SnapshotCampaign
{
    /// <summary>The id the campaign had (links use it); a restore keeps it, an import matches by key instead. 0 when unknown.</summary>
    public int Id { get; init; }

    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string Property { get; init; } = "";
    public bool Active { get; init; } = true;
    public string Description { get; init; } = "";
    public string OfferUrl { get; init; } = "";
    public string ImageUrl { get; init; } = "";
    public string CallToAction { get; init; } = "";
    public int Priority { get; init; }
    public string Source { get; init; } = "user";
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public static SnapshotCampaign From(Campaign c) => new()
    {
        Id = c.Id, Key = c.Key, Name = c.Name, Property = c.Property, Active = c.Active, Description = c.Description, OfferUrl = c.OfferUrl,
        ImageUrl = c.ImageUrl, CallToAction = c.CallToAction, Priority = c.Priority,
        Source = c.Source == CampaignSource.Canonical ? "canonical" : "user",
        CreatedAt = DateTime.SpecifyKind(c.CreatedAt, DateTimeKind.Utc), UpdatedAt = DateTime.SpecifyKind(c.UpdatedAt, DateTimeKind.Utc),
    };

    /// <summary>The campaign as it was, id and times included (restore and migration).</summary>
    // Missing times stay unset (default) so the importer can tell them from real ones.
    public Campaign ToEntity()
    {
        var entity = new Campaign { Id = Id, Key = Key, Name = Name, Property = Property, CreatedAt = AsUtc(CreatedAt) };
        CopyTo(entity, AsUtc(UpdatedAt));
        return entity;
    }

    private static DateTime AsUtc(DateTime value) => value == default ? default : value.ToUniversalTime();

    internal CampaignRequest AsRequest() => new()
    {
        Key = Key, Name = Name, Property = Property, Active = Active, Description = Description, OfferUrl = OfferUrl,
        ImageUrl = ImageUrl, CallToAction = CallToAction, Priority = Priority,
    };

    internal CampaignSource SourceValue => Source == "canonical" ? CampaignSource.Canonical : CampaignSource.User;

    internal void CopyTo(Campaign c, DateTime nowUtc)
    {
        c.Name = Name;
        c.Property = Property;
        c.Active = Active;
        c.Description = Description;
        c.OfferUrl = OfferUrl;
        c.ImageUrl = ImageUrl;
        c.CallToAction = CallToAction;
        c.Priority = Priority;
        c.Source = SourceValue;
        c.UpdatedAt = UpdatedAt == default ? nowUtc : UpdatedAt.ToUniversalTime();
    }
}

public sealed class SnapshotFormatException(string path, IReadOnlyList<string> problems)
    : Exception($"{path}: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

public sealed record ImportSummary(int Inserted, int Updated, int Unchanged, IReadOnlyList<string> SkippedRetired, IReadOnlyList<string> Errors);

public static class CampaignSnapshotFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static void Write(string path, CampaignSnapshot snapshot)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        SqliteFile.WriteAtomically(full, JsonSerializer.SerializeToUtf8Bytes(snapshot, Json));
    }

    /// <summary>Reads and checks a snapshot; every problem is reported with its JSON path.</summary>
    public static CampaignSnapshot Read(string path, IValidator<CampaignRequest> validator)
    {
        CampaignSnapshot? snapshot;
        try
        {
            snapshot = JsonSerializer.Deserialize<CampaignSnapshot>(File.ReadAllBytes(path), Json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotFormatException(path, [ex.Message]);
        }
        catch (JsonException ex)
        {
            throw new SnapshotFormatException(path, [$"{ex.Path ?? "$"}: not a valid snapshot ({ex.Message})"]);
        }

        var problems = new List<string>();
        if (snapshot is null || snapshot.Format != CampaignSnapshot.FormatName)
        {
            throw new SnapshotFormatException(path, [$"$.format: must be '{CampaignSnapshot.FormatName}'"]);
        }

        if (snapshot.Version != CampaignSnapshot.CurrentVersion)
        {
            problems.Add($"$.version: version {snapshot.Version} is not supported (this build reads {CampaignSnapshot.CurrentVersion})");
        }

        for (var i = 0; i < snapshot.Campaigns.Count; i++)
        {
            var campaign = snapshot.Campaigns[i];
            foreach (var error in validator.Validate(campaign.AsRequest()).Errors.Where(e => e.ErrorCode != "Retired"))
            {
                problems.Add($"$.campaigns[{i}].{error.PropertyName}: {error.ErrorMessage}");
            }

            if (campaign.Source is not ("user" or "canonical"))
            {
                problems.Add($"$.campaigns[{i}].source: must be 'user' or 'canonical'");
            }
        }

        foreach (var repeated in snapshot.Campaigns.GroupBy(c => c.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"$.campaigns: key '{repeated.Key}' appears {repeated.Count()} times");
        }

        return problems.Count == 0 ? snapshot : throw new SnapshotFormatException(path, problems);
    }
}

public sealed class CampaignSnapshotService(CampaignsDbContext db, CanonicalSeedSource seed, TimeProvider time, ILogger<CampaignSnapshotService> logger)
{
    public async Task<CampaignSnapshot> ExportAsync(CancellationToken cancellationToken = default)
    {
        var campaigns = await db.Campaigns.AsNoTracking().OrderBy(c => c.Key).ToListAsync(cancellationToken);
        return new CampaignSnapshot
        {
            ExportedAt = time.GetUtcNow(),
            Provider = db.Database.ProviderName ?? "",
            SchemaVersion = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "",
            Campaigns = [.. campaigns.Select(SnapshotCampaign.From)],
            SeedHistory = [.. (await db.SeedHistory.AsNoTracking().OrderBy(h => h.Id).ToListAsync(cancellationToken)).Select(SnapshotSeedHistory.From)],
        };
    }

    /// <summary>
    /// Inserts missing campaigns and updates changed ones, by key, through the same importer as `migrate`; never
    /// deletes, never revives a retired campaign.
    /// </summary>
    public async Task<ImportSummary> ImportAsync(CampaignSnapshot snapshot, CancellationToken cancellationToken = default, IProgress<ImportProgress>? progress = null)
    {
        var retired = seed.Retired();
        var skipped = snapshot.Campaigns.Where(c => retired.Any(r => CanonicalSeedValidator.IsRetired(r, c.Key, c.Name))).Select(c => c.Key).ToList();
        var wanted = snapshot.Campaigns.Where(c => !skipped.Contains(c.Key)).Select(c => c.ToEntity()).ToList();

        var report = await new CampaignImporter(db, progress, time)
            .ImportAsync(wanted, [.. snapshot.SeedHistory.Select(h => h.ToEntity())], dryRun: false, cancellationToken);
        var summary = new ImportSummary(report.Campaigns.Inserted, report.Campaigns.Updated, report.Campaigns.Skipped, skipped, report.Errors);
        logger.LogInformation("Imported snapshot from {ExportedAt}: {Inserted} inserted, {Updated} updated, {Unchanged} unchanged, retired skipped {SkippedRetired}, errors {ImportErrors}",
            snapshot.ExportedAt, summary.Inserted, summary.Updated, summary.Unchanged, skipped, report.Errors);
        return summary;
    }
}
