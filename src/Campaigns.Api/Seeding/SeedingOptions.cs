using System.ComponentModel.DataAnnotations;

namespace Campaigns.Api.Seeding;

public sealed class SeedingOptions
{
    public const string SectionName = "Seeding";

    /// <summary>Path to the canonical file; defaults to seed-data/campaigns.json next to the application.</summary>
    public string? CanonicalFile { get; set; }

    /// <summary>Overrides the file's expectedActive (for example while a campaign is paused on purpose).</summary>
    [Range(1, 10_000)]
    public int? ExpectedActive { get; set; }

    public string ResolveCanonicalFile() =>
        string.IsNullOrWhiteSpace(CanonicalFile)
            ? Path.Combine(AppContext.BaseDirectory, "seed-data", "campaigns.json")
            : Path.GetFullPath(CanonicalFile);
}
