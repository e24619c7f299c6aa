namespace Campaigns.Api.Startup;

public static class StartupServiceCollectionExtensions
{
    /// <summary>The startup sequence that checks the storage, recovers, migrates and tops up the campaigns before the app reports ready.</summary>
    public static IHostApplicationBuilder AddCampaignStartup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StartupBackup>();
        builder.Services.AddSingleton<OffSiteStartup>();
        builder.Services.AddSingleton<StartupInitializer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StartupInitializer>());
        builder.Services.AddHostedService<CleanStop>();
        // Kestrel (also a hosted service) starts listening while the startup sequence runs instead of after it, so the
        // two share the machine's cores; UseStartupGate and the health checks keep every answer but 503 until it is done.
        // The host still waits for both: a failed startup sequence stops the process as before.
        builder.Services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
        return builder;
    }

    /// <summary>Starts the startup sequence now, beside the rest of the host's start (see <see cref="StartupInitializer.Begin"/>).</summary>
    public static WebApplication BeginCampaignStartup(this WebApplication app)
    {
        app.Services.GetRequiredService<StartupInitializer>().Begin();
        return app;
    }
}
