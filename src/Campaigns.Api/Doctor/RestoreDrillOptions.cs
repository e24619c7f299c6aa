using Campaigns.Api.Backups;
using Microsoft.Extensions.Options;

namespace Campaigns.Api.Doctor;

/// <summary>Bound from the <c>Backups</c> section beside <see cref="BackupOptions"/>: <c>Backups:DrillSchedule</c>.</summary>
public sealed class RestoreDrillOptions
{
    /// <summary>Cron (5 fields, UTC) of the recurring <c>restore-drill</c> job; default weekly, Sundays at 03:00 UTC.</summary>
    public string DrillSchedule { get; set; } = "0 3 * * 0";
}

internal sealed class RestoreDrillScheduleValidator : IValidateOptions<RestoreDrillOptions>
{
    public ValidateOptionsResult Validate(string? name, RestoreDrillOptions options) =>
        CronSchedule.TryParse(options.DrillSchedule, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{BackupOptions.SectionName}:{nameof(RestoreDrillOptions.DrillSchedule)} {error}");
}
