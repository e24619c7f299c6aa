using Campaigns.Api.Common;

namespace Campaigns.Api.Backups;

/// <summary>A backup could not be written; what was partly written is removed (the service keeps running).</summary>
public sealed class BackupFailedException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class BackupNotFoundException(string name)
    : NotFoundException("Backup not found", $"There is no backup named '{name}'.");

public sealed class InvalidBackupNameException(string name)
    : InvalidInputException("Invalid backup name",
        $"'{name}' is not a backup file name (expected campaigns_backup_YYYYMMDD_HHMMSS_fff.sqlite or .snapshot.json).");
