using Campaigns.Api.Seeding;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database on the persistent data directory, the canonical seed, and the startup sequence that
    /// checks the volume, migrates, and tops up the campaigns before the app reports ready.
    /// </summary>
    public static IHostApplicationBuilder AddCampaignStorage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);

        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<SeedingOptions>()
            .BindConfiguration(SeedingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Resolved from the final configuration (not the builder's), so hosts built by tests see their overrides.
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddSingleton(sp => DataDirectory.Resolve(sp.GetRequiredService<IConfiguration>(), contentRoot));
        services.AddSingleton<StorageState>();

        services.AddDbContext<CampaignsDbContext, SqliteCampaignsDbContext>((sp, options) =>
        {
            var busyTimeout = sp.GetRequiredService<IOptions<StorageOptions>>().Value.BusyTimeoutSeconds;
            options.UseSqlite(SqliteConnectionString(sp.GetRequiredService<DataDirectory>().DatabasePath, busyTimeout))
                .AddInterceptors(new SqlitePragmaInterceptor(busyTimeout));
        });

        services.AddSingleton<CanonicalSeedSource>();
        services.AddScoped<CanonicalTopUp>();
        services.AddScoped<DatabaseMigrator>();
        services.AddHostedService<StartupInitializer>();
        return builder;
    }

    public static string SqliteConnectionString(string databasePath, int busyTimeoutSeconds = 30) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = busyTimeoutSeconds,
        }.ToString();
}
