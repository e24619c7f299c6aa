using Campaigns.Api.Admin;
using Campaigns.Api.Backups;
using Campaigns.Api.Health;
using Campaigns.Api.Storage;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Jobs;

public static class CampaignJobsExtensions
{
    public const string BackupJobId = "backup-database";
    public const string CleanupJobId = "cleanup";

    /// <summary>
    /// Hangfire on in-memory storage for SQLite: nothing durable lives there (our <see cref="JobStore"/> keeps the
    /// record), so losing it on restart costs nothing. On PostgreSQL, Hangfire.PostgreSql in the same database, so the
    /// recurring backup fires once per schedule across all replicas and survives restarts. A job started through the
    /// API goes to this process's own queue: its record lives in this process's <see cref="JobStore"/>.
    /// </summary>
    public static IHostApplicationBuilder AddCampaignJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Hangfire's defaults (JobStorage.Current, JobActivator.Current) are process-wide statics; registering our own
        // instances keeps each host (tests run several at once) on its own storage and its own container.
        services.AddSingleton<JobStorage>(sp => sp.GetRequiredService<DatabaseTarget>() is { Provider: DatabaseProvider.PostgreSql } postgres
            ? PostgreSqlJobStorage(postgres.ConnectionString)
            : new InMemoryStorage());
        services.AddSingleton<JobQueues>();
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, configuration) => configuration
            .UseLogProvider(new HangfireLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer((sp, options) =>
        {
            options.Queues = [sp.GetRequiredService<JobQueues>().ThisProcess, "default"];
            options.WorkerCount = 2;
            options.ShutdownTimeout = TimeSpan.FromSeconds(10);
        });

        services.AddSingleton<JobStore>();
        services.AddSingleton<JobHooks>();
        services.AddSingleton<JobLauncher>();
        services.AddScoped<CampaignJobs>();
        services.AddScoped<RestoreDrillJob>();
        services.AddSingleton<RestoreDrillScheduling>();
        services.AddHostedService<RecurringJobsRegistration>();
        services.AddHealthChecks().AddCheck<JobsHealthCheck>("jobs");
        return builder;
    }

    private static PostgreSqlStorage PostgreSqlJobStorage(string connectionString)
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>The dashboard at /hangfire, behind the admin key (a browser sends it as the HTTP Basic password).</summary>
    public static IEndpointRouteBuilder MapCampaignJobs(this IEndpointRouteBuilder app)
    {
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = Array.Empty<IDashboardAuthorizationFilter>(),
            DashboardTitle = "Campaigns jobs",
            AppPath = "/",
        }, app.ServiceProvider.GetRequiredService<JobStorage>()).RequireAuthorization(AdminAuthentication.Policy);
        return app;
    }
}

/// <summary>The queue only this process works on (Hangfire queue names: lower-case letters, digits, underscores).</summary>
public sealed class JobQueues
{
    public string ThisProcess { get; } = $"node_{Guid.NewGuid():N}";
}

/// <summary>
/// Once the host has started (the server listens and the startup sequence is done): fail jobs a previous process left
/// unfinished, and (re)register the recurring jobs. Nothing here is needed to answer /health, so it does not delay it.
/// </summary>
internal sealed class RecurringJobsRegistration(
    JobStore jobs, IRecurringJobManager recurring, IOptions<BackupOptions> options, RestoreDrillScheduling drills) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        jobs.FailInterrupted();
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        recurring.AddOrUpdate<CampaignJobs>(CampaignJobsExtensions.BackupJobId, j => j.ScheduledBackupAsync(CancellationToken.None), options.Value.Schedule, utc);
        recurring.AddOrUpdate<CampaignJobs>(CampaignJobsExtensions.CleanupJobId, j => j.Cleanup(), Cron.Hourly(), utc);
        drills.Register(recurring, utc);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
