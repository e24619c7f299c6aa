using Campaigns.Api.SqliteFiles;

namespace Campaigns.Api.Restores;

public static class RestoreServiceCollectionExtensions
{
    /// <summary>Restores and startup recovery, on top of <c>AddCampaignBackups</c> and <c>AddOffSite</c>: shared by the API and the CLI.</summary>
    public static IHostApplicationBuilder AddCampaignRestores(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<LiveDatabaseSwap>();
        services.AddSingleton<PreparedCopy>();
        services.AddSingleton<FileSwapRestore>();
        services.AddSingleton<OnlineCopyRestore>();
        services.AddSingleton<SnapshotRestore>();
        services.AddSingleton<RestoreService>();
        services.AddSingleton<RecoveryLog>();
        services.AddSingleton<DatabaseRecovery>();
        services.AddSingleton<OffSiteRestorer>();
        return builder;
    }
}
