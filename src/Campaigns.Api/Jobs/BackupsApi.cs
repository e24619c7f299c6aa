using Campaigns.Api.Admin;
using Campaigns.Api.Backups;
using Campaigns.Api.Common;
using Campaigns.Api.Restores;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using System.ComponentModel.DataAnnotations;

namespace Campaigns.Api.Jobs;

/// <summary>Body of POST /api/admin/restore; <c>backup</c> names the file when <c>source</c> is <c>backup</c>, <c>at</c> the moment when it is <c>offsite</c>.</summary>
/// <remarks>The allowed values are the wire names of <see cref="RestoreSource"/>, for the OpenAPI enum (ContractTests pins the two together).</remarks>
public sealed record RestoreRequest([property: AllowedValues("canonical", "latest-backup", "backup", "offsite")] string? Source, string? Backup = null, string? At = null)
{
    public bool Is(RestoreSource source) => WireNames.TryParse<RestoreSource>(Source, out var named) && named == source;
}

public sealed class RestoreRequestValidator : AbstractValidator<RestoreRequest>
{
    public RestoreRequestValidator()
    {
        var sources = string.Join(", ", WireNames.All<RestoreSource>());
        RuleFor(r => r.Source)
            .NotEmpty().WithMessage($"'source' is required: one of {sources}.")
            .Must(s => WireNames.TryParse<RestoreSource>(s, out _)).WithMessage($"'source' must be one of {sources}.");
        RuleFor(r => r.Backup)
            .NotEmpty().When(r => r.Is(RestoreSource.Backup)).WithMessage("'backup' (a backup file name) is required when source is 'backup'.");
        RuleFor(r => r.Backup)
            .Must(BackupNames.IsValid).When(r => !string.IsNullOrEmpty(r.Backup) && r.Is(RestoreSource.Backup))
            .WithMessage("'backup' must be a backup file name such as campaigns_backup_20261123_020000_123.sqlite (or .snapshot.json).");
        RuleFor(r => r.Backup)
            .Empty().When(r => r.Is(RestoreSource.Canonical) || r.Is(RestoreSource.LatestBackup) || r.Is(RestoreSource.OffSite))
            .WithMessage("'backup' is only used with source 'backup'.");
        RuleFor(r => r.At)
            .Empty().When(r => !r.Is(RestoreSource.OffSite))
            .WithMessage("'at' is only used with source 'offsite'.");
    }
}

/// <summary>Backups and restores for operators (CONTRACT.md): every long operation is a job followed at /api/admin/jobs/{id}.</summary>
public static class BackupsApi
{
    /// <summary>Mapped onto the admin group by <c>AdminApi</c>.</summary>
    public static IEndpointRouteBuilder MapBackupsApi(this IEndpointRouteBuilder admin)
    {
        var backups = admin.MapGroup("/api").WithTags("Backups");
        backups.MapPost("/admin/restore", StartRestore).WithName("StartRestore")
            .WithSummary("Start a restore job")
            .WithDescription("Restores the canonical campaigns, the newest acknowledged state (`latest-backup`: the newest verified backup, or the off-site state when that is newer), a named backup, or the off-site state as of `at` (ISO-8601 UTC; the newest when omitted), after backing up the live database. Follow the job at its `Location`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        // Kept for the scripts and bookmarks that called the old hand-run restore: now the canonical restore job.
        backups.MapPost("/emergency-restore-12-campaigns", StartLegacyRestore).WithName("LegacyEmergencyRestore")
            .WithSummary("Start a canonical restore job (legacy path)")
            .ProducesProblem(StatusCodes.Status409Conflict);
        backups.MapPost("/admin/backups", StartBackup).WithName("StartBackup").WithSummary("Start a backup job");
        backups.MapGet("/admin/backups", ListBackups).WithName("ListBackups").WithSummary("List the backups, newest first");
        backups.MapGet("/admin/backups/{name}", DownloadBackup).WithName("DownloadBackup")
            .WithSummary("Download a backup file")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return admin;
    }

    public static async Task<Accepted<JobAccepted>> StartRestore(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RestoreRequest? request, JobLauncher launcher, OffSiteRestorer offSite,
        CancellationToken cancellationToken)
    {
        // The validation filter has checked the body, an empty one included: a known source is always there.
        var source = WireNames.TryParse<RestoreSource>(request!.Source, out var named) ? named : throw new UnknownRestoreSourceException();
        // An off-site restore carries its moment where a backup restore carries the backup's name.
        var accepted = source == RestoreSource.OffSite
            ? launcher.StartRestore(source, (await offSite.CheckAtAsync(request.At, cancellationToken))?.ToString("O"))
            : launcher.StartRestore(source, request.Backup);
        return TypedResults.Accepted(accepted.StatusUrl, accepted);
    }

    public static Accepted<JobAccepted> StartLegacyRestore(JobLauncher launcher)
    {
        var accepted = launcher.StartRestore(RestoreSource.Canonical, null);
        return TypedResults.Accepted(accepted.StatusUrl, accepted);
    }

    public static Accepted<JobAccepted> StartBackup(JobLauncher launcher)
    {
        var accepted = launcher.StartBackup();
        return TypedResults.Accepted(accepted.StatusUrl, accepted);
    }

    public static Ok<List<BackupDto>> ListBackups(BackupCatalog catalog) =>
        TypedResults.Ok(catalog.List().Select(BackupDto.From).ToList());

    public static Results<FileStreamHttpResult, ValidationProblem> DownloadBackup(string name, BackupCatalog catalog)
    {
        if (!BackupNames.IsValid(name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["name"] = ["'name' must be a backup file name such as campaigns_backup_20261123_020000_123.sqlite (or .snapshot.json)."],
            });
        }

        var entry = catalog.Find(name) ?? throw new BackupNotFoundException(name);
        var stream = new FileStream(catalog.PathOf(entry.Name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
        return TypedResults.File(stream, "application/octet-stream", entry.Name);
    }
}
