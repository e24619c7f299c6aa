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

    /// <summary>
    /// The database a new volume starts from (see <see cref="SeedTemplate"/>); defaults to
    /// seed-data/campaigns.template.db next to the application, where the image build writes it.
    /// </summary>
    public string? TemplateFile { get; set; }

    public string ResolveTemplateFile() =>
        string.IsNullOrWhiteSpace(TemplateFile)
            ? Path.Combine(AppContext.BaseDirectory, "seed-data", "campaigns.template.db")
            : Path.GetFullPath(TemplateFile);

    public string ResolveCanonicalFile() =>
        string.IsNullOrWhiteSpace(CanonicalFile)
            ? Path.Combine(AppContext.BaseDirectory, "seed-data", "campaigns.json")
            : Path.GetFullPath(CanonicalFile);
}
