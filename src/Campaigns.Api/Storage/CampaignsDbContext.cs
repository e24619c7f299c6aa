using Microsoft.EntityFrameworkCore;

namespace Campaigns.Api.Storage;

/// <summary>
/// The model shared by every provider. Each provider has its own subclass so that it gets its own
/// migrations (SQLite and PostgreSQL DDL differ), while the rest of the code only knows this type.
/// </summary>
public abstract class CampaignsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<SeedHistoryEntry> SeedHistory => Set<SeedHistoryEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Campaign>(campaign =>
        {
            campaign.ToTable("campaigns");
            campaign.HasKey(c => c.Id);
            campaign.Property(c => c.Key).HasMaxLength(CampaignLimits.KeyLength).IsRequired();
            campaign.HasIndex(c => c.Key).IsUnique();
            campaign.HasIndex(c => new { c.Property, c.Active });
            // The list's order (GET /api/campaigns), all campaigns and active or paused ones: a page is read in index
            // order and stops at its limit, instead of sorting the whole table, which a million campaigns turn into
            // seconds whenever a write (or a backup's checkpoint) makes the cached page stale.
            campaign.HasIndex(c => new { c.Priority, c.Name, c.Id });
            campaign.HasIndex(c => new { c.Active, c.Priority, c.Name, c.Id });
            campaign.Property(c => c.Name).HasMaxLength(CampaignLimits.NameLength).IsRequired();
            campaign.Property(c => c.Property).HasMaxLength(CampaignLimits.PropertyLength).IsRequired();
            campaign.Property(c => c.Description).HasMaxLength(CampaignLimits.DescriptionLength);
            campaign.Property(c => c.OfferUrl).HasMaxLength(CampaignLimits.UrlLength);
            campaign.Property(c => c.ImageUrl).HasMaxLength(CampaignLimits.UrlLength);
            campaign.Property(c => c.CallToAction).HasMaxLength(CampaignLimits.CallToActionLength);
            campaign.Property(c => c.Source).HasConversion<string>().HasMaxLength(16);
        });

        modelBuilder.Entity<SeedHistoryEntry>(entry =>
        {
            entry.ToTable("seed_history");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.FileSha256).HasMaxLength(64);
            entry.Property(e => e.Trigger).HasMaxLength(32);
            entry.HasIndex(e => e.At);
        });
    }
}

public sealed class SqliteCampaignsDbContext(DbContextOptions<SqliteCampaignsDbContext> options)
    : CampaignsDbContext(options);

public sealed class PostgresCampaignsDbContext(DbContextOptions<PostgresCampaignsDbContext> options)
    : CampaignsDbContext(options);
