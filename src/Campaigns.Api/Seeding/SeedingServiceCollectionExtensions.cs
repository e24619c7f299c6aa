namespace Campaigns.Api.Seeding;

public static class SeedingServiceCollectionExtensions
{
    /// <summary>The canonical file in seed-data/ and the top-up that keeps its campaigns in the database, and the database a new volume starts from.</summary>
    public static IHostApplicationBuilder AddCanonicalSeed(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SeedingOptions>()
            .BindConfiguration(SeedingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CanonicalSeedSource>();
        builder.Services.AddScoped<CanonicalTopUp>();
        builder.Services.AddSingleton<SeedTemplate>();
        builder.Services.AddSingleton<SeedingState>();
        return builder;
    }
}
