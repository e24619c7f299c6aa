using Campaigns.Api.SqliteFiles;
using Campaigns.Api.Transfer;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Backups;

public static class BackupServiceCollectionExtensions
{
    /// <summary>Writing, verifying and maintaining backups: shared by the API and the CLI (which never starts the web host).</summary>
    public static IHostApplicationBuilder AddCampaignBackups(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BackupOptions>()
            .BindConfiguration(BackupOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackupOptions>, BackupScheduleValidator>();

        services.AddSingleton<BackupCatalog>();
        services.AddSingleton<BackupVerifier>();
        services.AddSingleton<BackupPublisher>();
        services.AddSingleton<SqliteBackupCopy>();
        // A backup gives way while requests are served; the web host's pipeline reports them (UseRequestActivity), the
        // CLI's host has none, so its backups never pause.
        services.AddSingleton<RequestActivity>();
        services.AddSingleton<GiveWay>();
        services.AddSingleton<SnapshotBackupCopy>();
        services.AddSingleton<BackupRotation>();
        services.AddSingleton<BackupCleanup>();
        services.AddSingleton<BackupService>();
        services.AddScoped<CampaignSnapshotService>();
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
