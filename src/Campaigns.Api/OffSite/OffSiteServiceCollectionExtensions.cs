using Campaigns.Api.Storage;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.OffSite;

public static class OffSiteServiceCollectionExtensions
{
    /// <summary>
    /// Off-site copies (section OffSite), on top of <c>AddCampaignStorage</c>: shared by the API and the CLI; nothing
    /// runs while Endpoint or Bucket is unset.
    /// </summary>
    public static IHostApplicationBuilder AddOffSite(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OffSiteOptions>()
            .BindConfiguration(OffSiteOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<OffSiteStore>();
        services.AddSingleton(sp => new OffSiteLayout(sp.GetRequiredService<IOptions<OffSiteOptions>>().Value.Prefix));
        services.AddSingleton<OffSiteClock>();
        services.AddSingleton<OffSiteStatus>();
        services.AddSingleton<OffSiteQueue>();
        services.AddSingleton<OffSiteCompactionQueue>();
        services.AddSingleton<OffSiteLineage>();
        services.AddSingleton<OffSiteJournal>();
        // After the storage's own interceptors: the journal sees a connection once it is set up.
        services.ConfigureDbContext<SqliteCampaignsDbContext>((sp, options) =>
            options.AddInterceptors(new OffSiteConnectionInterceptor(sp.GetRequiredService<OffSiteJournal>())));
        services.AddSingleton<OffSiteSnapshots>();
        services.AddSingleton<OffSiteHistory>();
        services.AddSingleton<OffSiteRetention>();
        services.AddSingleton<OffSiteNewest>();
        services.AddSingleton<OffSitePostgresCopies>();
        services.AddSingleton<OffSiteProbe>();
        services.AddHostedService<OffSiteShipper>();
        services.AddHealthChecks().AddCheck<OffSiteHealthCheck>("offSite");
        return builder;
    }
}
