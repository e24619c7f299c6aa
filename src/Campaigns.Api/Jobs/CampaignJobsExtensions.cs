using Campaigns.Api.Admin;
using Campaigns.Api.Health;
using Campaigns.Api.Storage;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Hangfire.Server;

namespace Campaigns.Api.Jobs;

public static class CampaignJobsExtensions
{
    /// <summary>How long Hangfire keeps a finished job (its state, result and error) before expiring it.</summary>
    public static readonly TimeSpan JobRecordsKeptFor = TimeSpan.FromDays(30);

    /// <summary>
    /// Hangfire with durable storage on both providers, so job states, history and the recurring jobs' last runs
    /// survive restarts: on SQLite its own file, <c>&lt;data dir&gt;/hangfire.db</c> (<see cref="HangfireDatabase"/>); on
    /// PostgreSQL Hangfire.PostgreSql in the same database (schema <c>hangfire</c>), shared by all replicas, so the
    /// recurring backup fires once per schedule and any replica can answer for any job.
    /// </summary>
    public static IHostApplicationBuilder AddCampaignJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<HangfireDatabase>();
        // Hangfire's defaults (JobStorage.Current, JobActivator.Current, the global filters) are process-wide statics;
        // registering our own instances keeps each host (tests run several at once) on its own storage, container and
        // filters. The storage opens on first use: see DeferredJobStorage.
        services.AddSingleton<JobStorage>(sp => sp.GetRequiredService<DatabaseTarget>() is { Provider: DatabaseProvider.PostgreSql } postgres
            ? new DeferredJobStorage(() => PostgreSqlJobStorage(postgres.ConnectionString), "Hangfire.PostgreSql (schema hangfire)")
                { JobExpirationTimeout = JobRecordsKeptFor }
            : new DeferredJobStorage(() => sp.GetRequiredService<HangfireDatabase>().Open(), $"Hangfire.Storage.SQLite ({HangfireDatabase.FileName})")
                { JobExpirationTimeout = JobRecordsKeptFor });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        // Hangfire's attribute and global filters, plus every filter in the container: ours, and whatever a test adds.
        services.AddSingleton<IJobFilterProvider>(sp => new JobFilterProviderCollection(JobFilterProviders.Providers, ContainerFilters(sp)));
        services.AddSingleton<IElectStateFilter, RestoreRunsOnce>();
        services.AddHangfire((provider, configuration) => configuration
            .UseLogProvider(new HangfireLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        services.AddSingleton<JobStatusReader>();
        services.AddSingleton<JobLauncher>();
        services.AddSingleton<InterruptedJobs>();
        services.AddScoped<CampaignJobs>();
        services.AddScoped<RestoreDrillJob>();
        services.AddSingleton<RestoreDrillScheduling>();
        services.AddSingleton<JobServer>();
        services.AddHostedService(sp => sp.GetRequiredService<JobServer>());
        services.AddHealthChecks().AddCheck<JobsHealthCheck>("jobs");
        return builder;
    }

    private static JobFilterCollection ContainerFilters(IServiceProvider sp)
    {
        var filters = new JobFilterCollection();
        foreach (var filter in sp.GetServices<IServerFilter>().Cast<object>()
                     .Concat(sp.GetServices<IElectStateFilter>())
                     .Concat(sp.GetServices<IApplyStateFilter>())
                     .Distinct())
        {
            filters.Add(filter);
        }

        return filters;
    }

    private static PostgreSqlStorage PostgreSqlJobStorage(string connectionString)
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
        // The constructor installs or upgrades the schema; replicas starting together take turns at it.
        return DatabaseLocks.WithSessionLock(connectionString, DatabaseLocks.HangfireSchema,
            () => new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options));
    }

    /// <summary>The dashboard at /hangfire, behind the admin key (a browser sends it as the HTTP Basic password), and the job status endpoint.</summary>
    public static IEndpointRouteBuilder MapCampaignJobs(this IEndpointRouteBuilder app)
    {
        app.MapJobsApi();
        // Built on the dashboard's first request, not at start: Hangfire's route table (a regular expression per page)
        // and its middleware are needed only when an admin opens /hangfire, and were start-up time on every deploy.
        var dashboard = new Lazy<RequestDelegate>(() => app.CreateApplicationBuilder()
            .UseHangfireDashboard("/hangfire", new DashboardOptions
            {
                Authorization = Array.Empty<IDashboardAuthorizationFilter>(),
                DashboardTitle = "Campaigns jobs",
                AppPath = "/",
            }, app.ServiceProvider.GetRequiredService<JobStorage>())
            .Build());
        var server = app.ServiceProvider.GetRequiredService<JobServer>();
        app.Map("/hangfire/{**path}", async context =>
        {
            await server.WhenStartedAsync(context.RequestAborted); // its pages list the recurring jobs the start registers
            await dashboard.Value(context);
        }).RequireAuthorization(AdminAuthentication.Policy);
        return app;
    }
}
