using Campaigns.Api.Backups;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Doctor;

public static class DoctorServiceCollectionExtensions
{
    /// <summary>The doctor and the restore drill: shared by the API and the CLI.</summary>
    public static IHostApplicationBuilder AddCampaignDoctor(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RestoreDrillOptions>()
            .BindConfiguration(BackupOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RestoreDrillOptions>, RestoreDrillScheduleValidator>();
        services.AddSingleton<RestoreDrill>();
        services.AddSingleton<DoctorService>();
        return builder;
    }
}
