using Campaigns.Api.Seeding;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

/// <summary>Keeps the newest <see cref="BackupOptions.Keep"/> backups, and the last known good one whatever its age.</summary>
public sealed class BackupRotation(BackupCatalog catalog, CanonicalSeedSource seed, IOptions<BackupOptions> options, ILogger<BackupRotation> logger)
{
    /// <param name="keepAlso">A backup rotation must not remove (the one a restore is about to copy).</param>
    public void Rotate(string? keepAlso)
    {
        var entries = catalog.List();
        var lastKnownGood = entries.FirstOrDefault(e => e.IsGood(seed.ExpectedActive()));
        var keep = entries.Take(options.Value.Keep).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        if (lastKnownGood is not null)
        {
            keep.Add(lastKnownGood.Name);
        }

        if (keepAlso is not null)
        {
            keep.Add(keepAlso);
        }

        foreach (var doomed in entries.Where(e => !keep.Contains(e.Name)))
        {
            catalog.Remove(doomed);
            logger.LogInformation("Rotated out backup {BackupName} from {CreatedAt} (keeping the newest {Keep} and the last known good {LastKnownGood})",
                doomed.Name, doomed.CreatedAt, options.Value.Keep, lastKnownGood?.Name);
        }
    }
}
