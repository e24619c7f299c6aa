using Microsoft.Extensions.Options;

namespace Campaigns.Api.Seeding;

/// <summary>Loads the canonical file on demand and remembers the last outcome for the health report.</summary>
public sealed class CanonicalSeedSource(IOptions<SeedingOptions> options, TimeProvider time, ILogger<CanonicalSeedSource> logger)
{
    private SeedLoadResult? _last;

    public string FilePath => options.Value.ResolveCanonicalFile();

    public SeedLoadResult? LastLoad => Volatile.Read(ref _last);

    public int ExpectedActive(CanonicalSeed seed) => options.Value.ExpectedActive ?? seed.ExpectedActive;

    /// <summary>How many active campaigns a good backup holds at least; 0 while the canonical file is unusable.</summary>
    public int ExpectedActive() => Load() is { Seed: { } canonical } ? ExpectedActive(canonical) : 0;

    public SeedLoadResult Load()
    {
        var result = CanonicalSeedFile.Load(FilePath, time);
        Volatile.Write(ref _last, result);
        if (!result.IsValid)
        {
            logger.LogError(
                "Canonical seed file {SeedFile} is unusable; nothing will be changed. Problems: {SeedProblems}",
                result.Path, result.Problems.Select(p => p.ToString()).ToArray());
        }

        return result;
    }

    /// <summary>The retired list, for rejecting API writes that would bring a retired campaign back.</summary>
    public IReadOnlyList<RetiredCampaign> Retired() => (LastLoad ?? Load()).Seed?.Retired ?? [];
}
