using Campaigns.Api.Seeding;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database (PostgreSQL when DATABASE_URL or ConnectionStrings:Campaigns is set, otherwise SQLite on
    /// the persistent data directory), the canonical seed, and the startup sequence that checks the storage, migrates,
    /// and tops up the campaigns before the app reports ready.
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

        services.AddSingleton(sp => DatabaseTarget.Resolve(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<DataDirectory>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.BusyTimeoutSeconds));

        // One context type per provider (each has its own migrations); the rest of the code asks for CampaignsDbContext.
        services.AddDbContext<SqliteCampaignsDbContext>((sp, options) =>
        {
            var busyTimeout = sp.GetRequiredService<IOptions<StorageOptions>>().Value.BusyTimeoutSeconds;
            options.UseSqlite(sp.GetRequiredService<DatabaseTarget>().ConnectionString)
                .AddInterceptors(new SqliteConnectionInterceptor(busyTimeout, sp.GetRequiredService<LiveDatabaseGate>()), SlowCommands(sp));
        });
        services.AddDbContext<PostgresCampaignsDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<DatabaseTarget>().ConnectionString).AddInterceptors(SlowCommands(sp)));
        services.AddScoped<CampaignsDbContext>(sp => sp.GetRequiredService<DatabaseTarget>().Provider == DatabaseProvider.PostgreSql
            ? sp.GetRequiredService<PostgresCampaignsDbContext>()
            : sp.GetRequiredService<SqliteCampaignsDbContext>());

        services.AddSingleton<LiveDatabaseGate>();
        services.AddSingleton<CanonicalSeedSource>();
        services.AddScoped<CanonicalTopUp>();
        services.AddScoped<DatabaseMigrator>();
        services.AddHostedService<StartupInitializer>();
        return builder;
    }

    private static SlowCommandInterceptor SlowCommands(IServiceProvider sp) => new(
        TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<StorageOptions>>().Value.SlowCommandThresholdMilliseconds),
        sp.GetRequiredService<ILogger<SlowCommandInterceptor>>());

    public static string SqliteConnectionString(string databasePath, int busyTimeoutSeconds = 30) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = busyTimeoutSeconds,
        }.ToString();
}
