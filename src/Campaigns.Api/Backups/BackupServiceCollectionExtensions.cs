using Campaigns.Api.Health;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

public static class BackupServiceCollectionExtensions
{
    /// <summary>Backups, restores and startup recovery: shared by the API and the CLI (which never starts the web host).</summary>
    public static IHostApplicationBuilder AddCampaignBackups(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BackupOptions>()
            .BindConfiguration(BackupOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackupOptions>, BackupScheduleValidator>();

        services.AddSingleton<BackupCatalog>();
        services.AddSingleton<BackupService>();
        services.AddSingleton<LiveDatabaseSwap>();
        services.AddSingleton<RestoreService>();
        services.AddSingleton<RecoveryLog>();
        services.AddSingleton<DatabaseRecovery>();
        services.AddSingleton<StartupBackup>();
        services.AddScoped<CampaignSnapshotService>();
        services.AddHealthChecks().AddCheck<BackupsHealthCheck>("backups");
        return builder;
    }
}

internal sealed class BackupScheduleValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options) =>
        CronSchedule.TryParse(options.Schedule, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{BackupOptions.SectionName}:{nameof(BackupOptions.Schedule)} {error}");
}
