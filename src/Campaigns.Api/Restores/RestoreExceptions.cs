using Campaigns.Api.Backups;
using Campaigns.Api.Common;

namespace Campaigns.Api.Restores;

/// <summary>The backup's bytes are not those its sidecar recorded, or they do not read back sound.</summary>
public sealed class BackupVerificationException(string name, string problem)
    : RefusedException("Backup failed verification", $"Backup {name} cannot be restored: {problem}. Nothing was changed.");

public sealed class NoBackupToRestoreException(int expectedActive, string directory)
    : NotFoundException("No backup to restore", $"There is no verified backup with at least {expectedActive} active campaigns in {directory}.");

public sealed class BackupDoesNotFitException(string name)
    : RefusedException("Backup does not fit this database",
        $"Backup {name} is a SQLite file and this service runs on PostgreSQL: restore a {BackupNames.SnapshotExtension} backup, " +
        "or copy the SQLite data with the CLI's migrate command. Nothing was changed.");

public sealed class UnknownRestoreSourceException()
    : InvalidInputException("Unknown restore source", $"source must be one of {string.Join(", ", WireNames.All<RestoreSource>())}.");

public sealed class RestoreAlreadyRunningException(string jobId, string state)
    : ConflictException("A restore is already running",
        $"Restore job {jobId} is {state}; only one restore runs at a time. Follow it at /api/admin/jobs/{jobId}.");
